import { randomUUID } from 'node:crypto';
import { CountingMetrics } from '../lambda/core/support/counting-metrics';
import type { TokenGrantBody } from '../../lambda/core/engine/token-vending';
import {
  startHeartbeatSubscriber,
  type HeartbeatSubscriber,
} from '../../lambda/heartbeat-subscriber/heartbeat-subscriber';
import { getHealth } from '../lambda/heartbeat-subscriber/support/subscriber-health';
import {
  AUTH_ARN,
  DATA_ARN,
  quietJsonLines,
  requestPathLambdas,
  SecretStoreStandIn,
  SESSION_ARN,
} from './support/secret-store-stand-in';
import { KEY_CHECK_MS, KEY_CHECKING_SUBSCRIBER } from './support/subscriber-key-checks';
import { accountEvent, TrackerHarness, waitFor } from './support/tracker-harness';

const OPTIONS = { ...KEY_CHECKING_SUBSCRIBER, healthPort: 0 };
/** Generous: a key check, its backoff and a subscribe, many times over, on a busy machine. */
const LIVE_BOUND_MS = 40 * KEY_CHECK_MS;

/**
 * The first `cdk deploy` with the defaults: both Momento key secrets exist but are empty, the
 * session-key secret is generated. Nothing is restarted or redeployed after the keys are put.
 */
describe('first deploy: empty Momento key secrets', () => {
  let harness: TrackerHarness;
  const running: HeartbeatSubscriber[] = [];
  let quiet: ReturnType<typeof quietJsonLines>;
  let errors: jest.SpyInstance;

  beforeAll(async () => {
    harness = await TrackerHarness.start();
    quiet = quietJsonLines();
  });
  beforeEach(() => {
    errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => errors.mockRestore());
  afterAll(async () => {
    for (const subscriber of running) await subscriber.stop();
    quiet.restore();
    await harness.stop();
  });

  it('the subscriber stays up and waits, the API answers 500 misconfigured, and both go live after put-secret-value', async () => {
    const secrets = SecretStoreStandIn.afterDeploy();
    const metrics = new CountingMetrics();
    const subscriber = await startHeartbeatSubscriber(
      harness.config({ DATA_KEY_SECRET_ARN: DATA_ARN, SESSION_KEY_SECRET_ARN: SESSION_ARN }),
      {
        readSecret: secrets.read,
        metrics,
        events: harness.events,
        options: OPTIONS,
      },
    );
    running.push(subscriber);
    const port = subscriber.stats().healthPort!;

    // Waiting, not failing: ECS keeps a task whose health answers 200.
    const waiting = await getHealth(port);
    expect(waiting.status).toBe(200);
    expect(waiting.body).toMatchObject({ status: 'waiting-for-key', reason: expect.stringContaining(DATA_ARN) });
    expect(JSON.stringify(waiting.body)).toMatch(/put-secret-value/);
    await waitFor(
      () => metrics.get('SubscriberWaiting') >= 2,
      LIVE_BOUND_MS,
      'the SubscriberWaiting metric, again while it waits',
    );
    expect(subscriber.stats().status).toBe('waiting-for-key');

    const lambdas = requestPathLambdas(harness.lambdaEnvironment(), secrets.read);
    const refused = await lambdas.tokens(accountEvent('POST', '/tokens', 'first-acc', { deviceId: 'tv' }));
    expect(refused.statusCode).toBe(500);
    expect(JSON.parse(refused.body)).toEqual({ error: 'misconfigured', message: expect.any(String) });
    const view = await lambdas.entitlement(accountEvent('GET', '/accounts/first-acc/sessions', 'first-acc'));
    expect(view.statusCode).toBe(500);
    // The log names the empty secret, never a key.
    expect(errors.mock.calls.map((call) => String(call[0])).join('\n')).toContain(DATA_ARN);

    // The operator fills both secrets: nothing else.
    const putAt = Date.now();
    secrets.put(AUTH_ARN, harness.emulator.createApiKey());
    secrets.put(DATA_ARN, harness.emulator.createApiKey());

    const admitted = await lambdas.tokens(accountEvent('POST', '/tokens', 'first-acc', { deviceId: 'tv' }));
    expect(admitted.statusCode).toBe(201);
    const grant = JSON.parse(admitted.body) as TokenGrantBody;
    await waitFor(
      () => subscriber.stats().status === 'ok',
      LIVE_BOUND_MS,
      'the subscriber to find its key and subscribe',
    );
    const subscriberLiveMs = Date.now() - putAt;

    const device = await harness.device(grant, 'tv');
    await device.heartbeat();
    await waitFor(
      () => subscriber.stats().messages.outcomes.refreshed >= 1,
      LIVE_BOUND_MS,
      'the first heartbeat to be processed',
    );
    const firstHeartbeatMs = Date.now() - putAt;
    const after = await lambdas.entitlement(accountEvent('GET', '/accounts/first-acc/sessions', 'first-acc'));
    expect(after.statusCode).toBe(200);
    expect(JSON.parse(after.body)).toMatchObject({
      active: 1,
      sessions: [{ sessionId: grant.sessionId, deviceId: 'tv' }],
    });
    expect(await getHealth(port)).toMatchObject({ status: 200, body: { status: 'ok' } });
    await device.stop();
    console.info(
      `first deploy: before the keys, POST /tokens ${refused.statusCode}, GET sessions ${view.statusCode}, subscriber health ${waiting.status} ${String(waiting.body.status)}, ` +
        `SubscriberWaiting counted ${metrics.get('SubscriberWaiting')} times; after put-secret-value: first request ${admitted.statusCode}, ` +
        `subscriber subscribed after ${subscriberLiveMs} ms and processed a heartbeat after ${firstHeartbeatMs} ms (key check every ${KEY_CHECK_MS} ms here, 30 s deployed)`,
    );
  });

  it('a missing cache is a clear waiting state, and the subscriber goes live once the cache is created', async () => {
    const cacheName = `later-${randomUUID().slice(0, 8)}`;
    const secrets = SecretStoreStandIn.afterDeploy();
    secrets.put(DATA_ARN, harness.emulator.createApiKey());
    const metrics = new CountingMetrics();
    const logged: { message: string; fields?: Record<string, unknown> }[] = [];
    const log = (message: string, fields?: Record<string, unknown>) => void logged.push({ message, fields });
    const subscriber = await startHeartbeatSubscriber(
      harness.config({ CACHE_NAME: cacheName, DATA_KEY_SECRET_ARN: DATA_ARN, SESSION_KEY_SECRET_ARN: SESSION_ARN }),
      {
        readSecret: secrets.read,
        metrics,
        logger: { debug: log, info: log, warn: log, error: log },
        options: OPTIONS,
      },
    );
    running.push(subscriber);
    await waitFor(
      () => subscriber.stats().status === 'waiting-for-cache',
      LIVE_BOUND_MS,
      'the waiting-for-cache state',
    );
    const health = await getHealth(subscriber.stats().healthPort!);
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'waiting-for-cache', reason: expect.stringContaining(cacheName) });
    await waitFor(() => metrics.get('SubscriberWaiting') >= 1, LIVE_BOUND_MS, 'the SubscriberWaiting metric');
    const line = logged.find((entry) => entry.message === 'heartbeat subscriber waiting for its cache');
    expect(line?.fields).toMatchObject({
      cacheName,
      reason: expect.stringMatching(/create it in the Momento console/),
    });

    const createdAt = Date.now();
    harness.emulator.store.createCache(cacheName);
    // The shards retry with backoff up to maxBackoffMs.
    await waitFor(
      () => subscriber.stats().status === 'ok',
      LIVE_BOUND_MS,
      'the subscriber to subscribe once the cache exists',
    );
    console.info(
      `missing cache: health ${health.status} ${String(health.body.status)}; subscribed ${Date.now() - createdAt} ms after the cache was created (shard backoff up to ${OPTIONS.maxBackoffMs} ms here, 30 s deployed)`,
    );
  });
});
