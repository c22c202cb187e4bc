import { sleep, TrackerHarness, waitFor } from './support/tracker-harness';

describe('the tracker against the emulator: session flow', () => {
  let harness: TrackerHarness;

  beforeAll(async () => {
    harness = await TrackerHarness.start();
    await harness.subscriber();
  });
  afterAll(() => harness.stop());

  it('token, heartbeats, count, stop, release', async () => {
    const api = harness.api({ DEFAULT_LIMIT: '1' });
    const grant = await api.admit('flow-acc', { deviceId: 'tv', contentId: 'film-1' });
    expect(grant).toMatchObject({
      cacheName: 'tracker',
      heartbeatTopic: 'heartbeat',
      controlTopic: 'control-flow-acc',
      limit: 1,
      active: 1,
      heartbeatIntervalSeconds: 1,
    });
    const device = await harness.device(grant, 'tv');
    device.startHeartbeats();
    // Heartbeats keep the session past its 3 s lease, and the entitlement check counts it.
    await sleep(3500);
    const view = await api.sessions('flow-acc');
    expect(view).toMatchObject({ accountId: 'flow-acc', limit: 1, active: 1, allowed: false });
    // The session is kept alive by heartbeats: the last one is younger than the lease (3 s).
    const check = JSON.parse((await api.checkSession('flow-acc', grant.sessionId)).body) as { lastHeartbeatAt: string };
    expect(Date.now() - Date.parse(check.lastHeartbeatAt)).toBeLessThan(3000);
    expect((await api.startSession('flow-acc', { deviceId: 'phone' })).statusCode).toBe(409);

    const stoppedAt = Date.now();
    await device.stop();
    await waitFor(async () => (await api.sessions('flow-acc')).active === 0, 15_000, 'the stop to release the lease');
    const releasedAfter = Date.now() - stoppedAt;
    console.info(`stopped device released after ${releasedAfter} ms`);
    // Released by the stop, not by the lease running out (which would report it expired).
    expect(harness.events.ofType('Session Expired').map((e) => e.detail.sessionId)).not.toContain(grant.sessionId);
    expect((await api.startSession('flow-acc', { deviceId: 'phone' })).statusCode).toBe(201);
    expect(harness.events.ofType('Session Stopped').map((e) => e.detail.sessionId)).toContain(grant.sessionId);
  });

  it('reuses one minted token per account across containers: the auth service is called once per token lifetime', async () => {
    const mints = () => harness.emulator.stats().calls.GenerateDisposableToken ?? 0;
    const before = mints();
    const containers = [harness.api(), harness.api()]; // two Lambda containers, their own SDK clients
    const grants = [];
    for (const [i, deviceId] of ['tv', 'phone', 'laptop'].entries())
      grants.push(await containers[i % 2]!.admit('reuse-acc', { deviceId }));
    expect(mints() - before).toBe(1);
    expect(new Set(grants.map((g) => g.token)).size).toBe(1);
    await harness.api().admit('reuse-other-acc', { deviceId: 'tv' }); // another account: its own token
    expect(mints() - before).toBe(2);
  });

  it('a device token publishes only its heartbeats and hears only its own control topic', async () => {
    const api = harness.api();
    const grant = await api.admit('scoped-acc', { deviceId: 'tv' });
    const device = await harness.device(grant, 'tv');
    await device.heartbeat();
    const elsewhere = await harness.device({ ...grant, heartbeatTopic: 'heartbeat-other' }, 'tv');
    await expect(elsewhere.heartbeat()).rejects.toThrow(/publish failed/);
    await expect(harness.device({ ...grant, controlTopic: 'control-someone-else' }, 'tv')).rejects.toThrow(
      /cannot listen/,
    );
  });

  it('a heartbeat whose body names another account counts for the token’s account', async () => {
    const api = harness.api();
    const grant = await api.admit('honest-acc', { deviceId: 'tv' });
    const device = await harness.device(grant, 'tv');
    const before = harness.metrics.get('HeartbeatsProcessed');
    await device.heartbeat({ accountId: 'victim-acc' });
    await waitFor(() => harness.metrics.get('HeartbeatsProcessed') > before, 15_000, 'the heartbeat to be processed');
    expect((await api.sessions('honest-acc')).active).toBe(1);
    expect((await api.sessions('victim-acc')).active).toBe(0);

    // A token of another account cannot refresh this account's session either.
    const mallory = await harness.device(await api.admit('mallory-acc', { deviceId: 'laptop' }), 'tv');
    const rejected = harness.metrics.get('HeartbeatsRejected');
    await mallory.publish({ v: 1, type: 'heartbeat', sessionId: grant.sessionId, deviceId: 'tv' });
    await mallory.publish({ v: 1, type: 'stop', sessionId: grant.sessionId, deviceId: 'tv' });
    await mallory.publish({ garbage: true });
    await waitFor(
      () => harness.metrics.get('HeartbeatsRejected') >= rejected + 3,
      15_000,
      'the foreign messages to be rejected',
    );
    expect((await api.sessions('honest-acc')).active).toBe(1);
  });

  it('a reconnecting device does not count twice', async () => {
    const api = harness.api({ DEFAULT_LIMIT: '2' });
    const first = await api.admit('reconnect-acc', { deviceId: 'tv' });
    const refreshed = await api.admit('reconnect-acc', {
      deviceId: 'tv',
      sessionId: first.sessionId,
      sessionKey: first.sessionKey,
    });
    expect(refreshed).toMatchObject({ sessionId: first.sessionId, active: 1 });
    const restarted = await api.admit('reconnect-acc', { deviceId: 'tv' });
    expect(restarted.active).toBe(1);
    expect((await api.sessions('reconnect-acc')).sessions.map((s) => s.deviceId)).toEqual(['tv']);
    expect((await api.admit('reconnect-acc', { deviceId: 'phone' })).active).toBe(2);
  });

  it('DELETE ends a session now and tells the device', async () => {
    const api = harness.api({ DEFAULT_LIMIT: '1' });
    const grant = await api.admit('delete-acc', { deviceId: 'tv' });
    const device = await harness.device(grant, 'tv');
    expect((await api.endSession('delete-acc', grant.sessionId)).statusCode).toBe(200);
    await waitFor(() => device.control.length > 0, 15_000, 'the control message');
    expect(device.control).toEqual([{ v: 1, type: 'evicted', sessionId: grant.sessionId, reason: 'ended-by-account' }]);
    expect((await api.sessions('delete-acc')).active).toBe(0);
  });
});
