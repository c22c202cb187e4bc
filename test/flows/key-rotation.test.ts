import type { TopicMessage } from '../../lambda/core/ports/momento-ports';
import { createMomentoPorts, type MomentoKeys } from '../../lambda/core/adapters/momento-clients';
import { CountingMetrics } from '../lambda/core/support/counting-metrics';
import type { TokenGrantBody } from '../../lambda/core/engine/token-vending';
import { startHeartbeatSubscriber, type SubscriberPorts } from '../../lambda/heartbeat-subscriber/heartbeat-subscriber';
import {
  AUTH_ARN,
  DATA_ARN,
  quietJsonLines,
  requestPathLambdas,
  SecretStoreStandIn,
  SESSION_ARN,
} from './support/secret-store-stand-in';
import { KEY_CHECK_MS, KEY_CHECKING_SUBSCRIBER } from './support/subscriber-key-checks';
import { accountEvent, sleep, TrackerHarness, waitFor, type Device } from './support/tracker-harness';

const LEASE_MS = 3000;
/** Each device publishes this often (five times its granted interval: load). */
const PUBLISH_EVERY_MS = 200;
const DEVICES = 8;
/**
 * The old keys stop working at the emulator this long after they are minted (as if revoked at
 * Momento then): anything still using them afterwards fails and is counted. The rotation has 40
 * key checks to complete before that.
 */
const OLD_KEY_LIFETIME_S = 20;

describe('key rotation under load', () => {
  let harness: TrackerHarness;
  let quiet: ReturnType<typeof quietJsonLines>;
  let stopSubscriber: () => Promise<void> = async () => undefined;
  let stopLoad: () => void = () => undefined;

  beforeAll(async () => {
    harness = await TrackerHarness.start();
    quiet = quietJsonLines();
  });
  afterAll(async () => {
    stopLoad();
    await stopSubscriber();
    quiet.restore();
    await harness.stop();
  });

  it('rotates the data key and the auth key while devices heartbeat: no failed request, no lost heartbeat', async () => {
    const secrets = SecretStoreStandIn.afterDeploy();
    const oldKeysMintedAt = Date.now();
    secrets.put(DATA_ARN, harness.emulator.createApiKey({ validForSeconds: OLD_KEY_LIFETIME_S }));
    secrets.put(AUTH_ARN, harness.emulator.createApiKey({ validForSeconds: OLD_KEY_LIFETIME_S }));
    const oldKeysDeadAt = oldKeysMintedAt + OLD_KEY_LIFETIME_S * 1000;

    // What reaches the subscriber's live subscriptions, by session and sequence number.
    const delivered = new Set<string>();
    const config = harness.config({ DATA_KEY_SECRET_ARN: DATA_ARN, SESSION_KEY_SECRET_ARN: SESSION_ARN });
    const keysUsed: string[] = [];
    const connect = (keys: MomentoKeys): SubscriberPorts => {
      keysUsed.push(keys.dataKey ?? 'local');
      const ports = createMomentoPorts(config, keys);
      return {
        cache: ports.cache,
        close: () => ports.close(),
        topics: {
          publish: (topic, message) => ports.topics.publish(topic, message),
          subscribe: async (topic, handlers, timeoutMs) => {
            let open = true;
            const record = (message: TopicMessage) => {
              const body = JSON.parse(String(message.value)) as { sessionId?: string; seq?: number };
              if (open && body.seq !== undefined) delivered.add(`${body.sessionId}:${body.seq}`);
            };
            const subscription = await ports.topics.subscribe(
              topic,
              { ...handlers, onMessage: (message) => (record(message), handlers.onMessage(message)) },
              timeoutMs,
            );
            return {
              unsubscribe: () => {
                open = false;
                subscription.unsubscribe();
              },
            };
          },
        },
      };
    };
    const metrics = new CountingMetrics();
    const subscriber = await startHeartbeatSubscriber(config, {
      readSecret: secrets.read,
      connect,
      metrics,
      events: harness.events,
      options: { ...KEY_CHECKING_SUBSCRIBER, healthPort: false },
    });
    stopSubscriber = () => subscriber.stop();
    await subscriber.ready();

    const lambdas = requestPathLambdas(harness.lambdaEnvironment(), secrets.read);
    const devices: {
      accountId: string;
      device: Device;
      grant: TokenGrantBody;
      published: number[];
      failedPublishes: number;
    }[] = [];
    for (let i = 0; i < DEVICES; i += 1) {
      const admitted = await lambdas.tokens(accountEvent('POST', '/tokens', `rot-${i}`, { deviceId: 'tv' }));
      expect(admitted.statusCode).toBe(201);
      const grant = JSON.parse(admitted.body) as TokenGrantBody;
      devices.push({
        accountId: `rot-${i}`,
        device: await harness.device(grant, 'tv'),
        grant,
        published: [],
        failedPublishes: 0,
      });
    }

    // Load: every device heartbeats; the API is asked all along (checks and new admissions).
    let loading = true;
    const heartbeating = devices.map(async (d) => {
      for (let seq = 0; loading; seq += 1) {
        const { sessionId, sessionKey } = d.grant;
        try {
          await d.device.publish({ v: 1, type: 'heartbeat', sessionId, deviceId: 'tv', sessionKey, seq });
          d.published.push(seq);
        } catch {
          d.failedPublishes += 1;
        }
        await sleep(PUBLISH_EVERY_MS);
      }
    });
    const requests = { made: 0, failed: [] as string[] };
    const asking = (async () => {
      for (let i = 0; loading; i += 1) {
        const d = devices[i % DEVICES]!;
        const answer =
          i % 4 === 3
            ? await lambdas.tokens(accountEvent('POST', '/tokens', `rot-new-${i}`, { deviceId: 'tv' }))
            : await lambdas.entitlement(
                accountEvent('GET', `/accounts/${d.accountId}/sessions/${d.grant.sessionId}`, d.accountId),
              );
        requests.made += 1;
        if (answer.statusCode !== 200 && answer.statusCode !== 201)
          requests.failed.push(`${answer.statusCode} ${answer.body}`);
        await sleep(50);
      }
    })();

    // A failed wait below must not leave the load running after the test.
    stopLoad = () => void (loading = false);
    await sleep(2 * KEY_CHECK_MS);
    const dataPutAt = Date.now();
    secrets.put(DATA_ARN, harness.emulator.createApiKey());
    await waitFor(
      () => subscriber.stats().keyRotations >= 1,
      40 * KEY_CHECK_MS,
      'the subscriber to move to the new data key',
    );
    const subscriberRotatedMs = Date.now() - dataPutAt;
    const authPutAt = Date.now();
    secrets.put(AUTH_ARN, harness.emulator.createApiKey());
    // Past the old keys' end (nothing may still use them), then one lease (a lost heartbeat would end a session).
    while (Date.now() < Math.max(oldKeysDeadAt, authPutAt) + LEASE_MS + 1000) await sleep(100);
    loading = false;
    await Promise.all([...heartbeating, asking]);
    await sleep(4 * PUBLISH_EVERY_MS); // the last deliveries

    const published = devices.reduce((sum, d) => sum + d.published.length, 0);
    const lost = devices.flatMap((d) =>
      d.published
        .filter((seq) => !delivered.has(`${d.grant.sessionId}:${seq}`))
        .map((seq) => `${d.grant.sessionId}:${seq}`),
    );
    const { failed, shed, throttled, rejected } = subscriber.stats().messages;
    const expired = harness.events
      .ofType('Session Expired')
      .filter((e) => devices.some((d) => d.grant.sessionId === e.detail.sessionId));
    const rebuilt = quiet.lines
      .filter((line) => String(line.message).startsWith('a Momento key or the session key secret changed'))
      .map((line) => String(line.service));
    const figures = {
      devices: DEVICES,
      'heartbeats published': published,
      'publishes failed': devices.reduce((sum, d) => sum + d.failedPublishes, 0),
      'heartbeats lost (published, never reached a live subscription)': lost.length,
      'heartbeats not processed (failed, shed, throttled, rejected)': failed + shed + throttled + rejected,
      'sessions expired': expired.length,
      'API requests': requests.made,
      'API requests failed': requests.failed.length,
      'subscriber on the new data key after (ms)': subscriberRotatedMs,
      'Lambda runtimes rebuilt on a new key': rebuilt.join(', '),
      'data keys the subscriber connected with': keysUsed.length,
    };
    console.info(
      `key rotation under load (key check every ${KEY_CHECK_MS} ms here, 30 s deployed; old keys dead ${OLD_KEY_LIFETIME_S} s after minting):\n${JSON.stringify(figures, null, 2)}`,
    );

    expect(requests.failed).toEqual([]);
    expect(lost).toEqual([]);
    expect(failed + shed + throttled + rejected).toBe(0);
    expect(expired).toEqual([]);
    expect(keysUsed).toHaveLength(2);
    expect(subscriber.stats().keyRotations).toBe(1);
    // Both containers built new clients without a restart (token vending once or twice: the two
    // keys may both have changed before its next request).
    expect(new Set(rebuilt)).toEqual(new Set(['token-vending', 'entitlement']));
    for (const d of devices) {
      const check = await lambdas.entitlement(
        accountEvent('GET', `/accounts/${d.accountId}/sessions/${d.grant.sessionId}`, d.accountId),
      );
      expect(check.statusCode).toBe(200);
    }
  }, 120_000);
});
