import { CountingMetrics } from '../lambda/core/support/counting-metrics';
import { startHeartbeatSubscriber } from '../../lambda/heartbeat-subscriber/heartbeat-subscriber';
import { getHealth } from '../lambda/heartbeat-subscriber/support/subscriber-health';
import { sleep, TrackerHarness, waitFor } from './support/tracker-harness';

describe('the heartbeat subscriber against the emulator', () => {
  let harness: TrackerHarness;

  beforeAll(async () => {
    harness = await TrackerHarness.start();
  });
  afterAll(() => harness.stop());

  it('a crashed device’s lease expires within one lease duration, reported once by two subscribers', async () => {
    await harness.subscriber();
    await harness.subscriber(); // side by side, as deployed for availability
    const api = harness.api();
    const grant = await api.admit('crash-acc', { deviceId: 'tv' });
    const device = await harness.device(grant, 'tv');
    device.startHeartbeats();
    await sleep(1500);
    device.stopHeartbeats(); // the crash: no stop message
    const crashedAt = Date.now();
    await waitFor(async () => (await api.sessions('crash-acc')).active === 0, 15_000, 'the lease to lapse');
    const lapsedAfter = Date.now() - crashedAt;
    // Freed by the lease running out (the expiry is reported below), not by anything sooner; the
    // upper bound is two leases, so a loaded machine's slow sweep is not mistaken for a defect.
    expect(lapsedAfter).toBeGreaterThan(500);
    expect(lapsedAfter).toBeLessThanOrEqual(2 * 3000);
    await waitFor(() => device.control.length > 0, 15_000, 'the expiry message');
    await sleep(500); // give the second subscriber its chance to report twice
    expect(harness.events.ofType('Session Expired').filter((e) => e.detail.sessionId === grant.sessionId)).toHaveLength(
      1,
    );
    expect(device.control).toEqual([{ v: 1, type: 'expired', sessionId: grant.sessionId, reason: 'lease-expired' }]);
    console.info(`crashed device released after ${lapsedAfter} ms (lease 3000 ms)`);
  });

  it('keeps its leases through dropped streams', async () => {
    const subscriber = await harness.subscriber();
    const api = harness.api();
    const grant = await api.admit('drop-acc', { deviceId: 'tv' });
    const device = await harness.device(grant, 'tv');
    device.startHeartbeats();
    // Drop every stream four times over five seconds, longer than a lease.
    for (let i = 0; i < 4; i += 1) {
      await sleep(1200);
      harness.emulator.faults.dropSubscriptions();
      expect((await api.sessions('drop-acc')).active).toBe(1);
    }
    await sleep(1200);
    expect((await api.sessions('drop-acc')).active).toBe(1);
    expect(harness.events.ofType('Session Expired').filter((e) => e.detail.sessionId === grant.sessionId)).toHaveLength(
      0,
    );
    expect(subscriber.stats().messages.outcomes.refreshed).toBeGreaterThanOrEqual(4);
    // The SDK reconnected by itself each time; the subscriber noticed and counted it.
    expect(subscriber.stats().shards[0]!.streamDrops).toBeGreaterThanOrEqual(3);
    await device.stop();
  });

  it('resubscribes by itself when its stream goes silent (watchdog)', async () => {
    // The emulator sends a stream heartbeat every 200 ms; a 1 s watchdog notices when they stop.
    const subscriber = await harness.subscriber({}, { watchdogMs: 1000 });
    harness.emulator.faults.addLatency('subscribe', 2000); // streams opened now stay silent for 2 s
    harness.emulator.faults.dropSubscriptions();
    await sleep(800); // the SDK resubscribes by itself after 500 ms, into the silent stream
    harness.emulator.faults.clear();
    await waitFor(
      () => subscriber.stats().shards[0]!.resubscribes >= 1 && subscriber.stats().healthy,
      15_000,
      'the watchdog to resubscribe',
    );
    const api = harness.api();
    const grant = await api.admit('watchdog-acc', { deviceId: 'tv' });
    const device = await harness.device(grant, 'tv');
    const before = subscriber.stats().messages.outcomes.refreshed;
    await device.heartbeat();
    await waitFor(
      () => subscriber.stats().messages.outcomes.refreshed > before,
      15_000,
      'a heartbeat after the resubscribe',
    );
  });

  it('serves /health: 200 ok when subscribed, 200 waiting-for-key when its key is refused (ECS keeps the task), and backs off', async () => {
    const config = harness.config();
    const metrics = new CountingMetrics();
    const healthy = await startHeartbeatSubscriber(config, {
      ports: harness.ports(config),
      metrics,
      options: { healthPort: 0 },
    });
    await healthy.ready();
    const port = healthy.stats().healthPort!;
    expect(await getHealth(port)).toMatchObject({
      status: 200,
      body: { status: 'ok', shards: [{ shard: 0, state: 'subscribed' }] },
    });
    await healthy.stop();
    await expect(getHealth(port)).rejects.toThrow();

    // A key without subscribe rights: the subscriber stays up, waits for a key, and says why.
    const deviceGrant = await harness.api().admit('key-acc', { deviceId: 'tv' });
    const { MomentoTopicAdapter } = await import('../../lambda/core/adapters/momento-topics');
    const { TopicClient, TopicConfigurations, CredentialProvider } = await import('@gomomento/sdk');
    const weakTopics = new MomentoTopicAdapter(
      new TopicClient({
        configuration: TopicConfigurations.Default.latest(),
        credentialProvider: CredentialProvider.fromDisposableToken({
          authToken: deviceGrant.token,
          endpointOverrides: {
            cacheEndpoint: harness.emulator.address,
            controlEndpoint: harness.emulator.address,
            tokenEndpoint: harness.emulator.address,
            secureConnection: false,
          },
        }),
      }),
      config.cacheName,
    );
    const refused = await startHeartbeatSubscriber(config, {
      ports: { cache: harness.ports(config).cache, topics: weakTopics },
      metrics,
      options: { healthPort: 0, initialBackoffMs: 100, maxBackoffMs: 200 },
    });
    await waitFor(() => refused.stats().lastError !== undefined, 15_000, 'the subscribe to be refused');
    await sleep(600);
    const health = await getHealth(refused.stats().healthPort!);
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({
      status: 'waiting-for-key',
      reason: expect.stringMatching(/refuses the data key/),
    });
    expect(refused.stats().healthy).toBe(false);
    expect(refused.stats().lastError).toMatch(/^permission/);
    expect(metrics.get('MomentoErrors')).toBeGreaterThanOrEqual(2); // it kept retrying
    await refused.stop();
  });

  it('drains in-flight work on stop', async () => {
    const config = harness.config();
    const subscriber = await startHeartbeatSubscriber(config, {
      ports: harness.ports(config),
      options: { healthPort: false },
    });
    await subscriber.ready();
    const api = harness.api();
    const grants = await Promise.all(
      Array.from({ length: 3 }, (_, i) => api.admit(`drain-acc-${i}`, { deviceId: 'tv' })),
    );
    const devices = await Promise.all(grants.map((grant) => harness.device(grant, 'tv')));
    harness.emulator.faults.addLatency('cache-write', 300); // make each message take a while
    await Promise.all(devices.map((device) => device.stop()));
    await waitFor(() => subscriber.stats().messages.received >= 3, 15_000, 'the stops to arrive');
    expect(subscriber.stats().inFlight).toBeGreaterThan(0);
    await subscriber.stop();
    harness.emulator.faults.clear();
    expect(subscriber.stats().inFlight).toBe(0);
    // Every accepted message finished (other subscribers in this file may have ended some first).
    const { outcomes, failed } = subscriber.stats().messages;
    expect(failed).toBe(0);
    expect(outcomes.stopped + outcomes['already-ended']).toBe(3);
    for (let i = 0; i < 3; i += 1) expect((await api.sessions(`drain-acc-${i}`)).active).toBe(0);
  });
});
