import type { AdmissionHook } from '../../lambda/core/ports/admission-hook';
import type { TokenGrantBody } from '../../lambda/core/engine/token-vending';
import { sleep, TrackerHarness, waitFor } from './support/tracker-harness';

describe('admission against the emulator', () => {
  let harness: TrackerHarness;

  beforeAll(async () => {
    harness = await TrackerHarness.start();
  });
  afterAll(() => harness.stop());

  it('50 simultaneous admissions for one account with limit 3 admit exactly 3 under leases', async () => {
    // Fifty independent "Lambda containers", each with its own SDK clients.
    // The fifty share one process here (in production each has its own CPU), so the burst lasts as
    // long as this machine makes it: the Momento deadline is at its maximum and the leases (no
    // device heartbeats them here) outlive any burst, or a slow machine would expire the first
    // sessions before the count. The test is about the count.
    const containers = Array.from({ length: 5 }, () =>
      harness.api({ DEFAULT_LIMIT: '3', MOMENTO_TIMEOUT_MS: '60000', LEASE_SECONDS: '600' }),
    );
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => containers[i % 5]!.startSession('rush-acc', { deviceId: `device-${i}` })),
    );
    console.info(`50 simultaneous admissions answered in ${Date.now() - started} ms`);
    const statuses = results.map((r) => r.statusCode).sort();
    expect(statuses).toEqual([...Array(3).fill(201), ...Array(47).fill(409)]);
    const view = await containers[0]!.sessions('rush-acc');
    expect(view).toMatchObject({ active: 3, limit: 3, allowed: false });
    const admittedDevices = results
      .filter((r) => r.statusCode === 201)
      .map((r) => (JSON.parse(r.body) as TokenGrantBody).sessionId);
    expect(view.sessions.map((s) => s.sessionId).sort()).toEqual(admittedDevices.sort());
  });

  it('the capped-list baseline overshoots under the same rush (why leases are the default)', async () => {
    const containers = Array.from({ length: 5 }, () =>
      harness.api({ DEFAULT_LIMIT: '3', COUNTING_STRATEGY: 'capped-list', MOMENTO_TIMEOUT_MS: '60000' }),
    );
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        containers[i % 5]!.startSession('rush-baseline-acc', { deviceId: `device-${i}` }),
      ),
    );
    expect(results.filter((r) => r.statusCode === 201).length).toBeGreaterThan(3);
  });

  it('evict-oldest admits the new device and tells the old one on its control topic', async () => {
    const api = harness.api({ DEFAULT_LIMIT: '1', AT_LIMIT: 'evict-oldest' });
    const oldGrant = await api.admit('evict-acc', { deviceId: 'tv' });
    const oldDevice = await harness.device(oldGrant, 'tv');
    const newGrant = await api.admit('evict-acc', { deviceId: 'phone' });
    expect(newGrant.active).toBe(1);
    await waitFor(() => oldDevice.control.length > 0, 15_000, 'the eviction message');
    expect(oldDevice.control).toEqual([
      { v: 1, type: 'evicted', sessionId: oldGrant.sessionId, reason: 'evicted-by-newer-session' },
    ]);
    const view = await api.sessions('evict-acc');
    expect(view.sessions.map((s) => s.sessionId)).toEqual([newGrant.sessionId]);
    expect(harness.events.ofType('Session Evicted').map((e) => e.detail.sessionId)).toContain(oldGrant.sessionId);
  });

  it('applies the admission hook’s decision and limit', async () => {
    const hook: AdmissionHook = {
      decide: async (input) =>
        input.kind === 'screen'
          ? { allow: false, reason: 'screen sharing is for hosts only' }
          : { allow: true, limit: input.accountId === 'gold-acc' ? 2 : 1 },
    };
    const api = harness.api({ DEFAULT_LIMIT: '5' }, hook);
    const denied = await api.startSession('gold-acc', { deviceId: 'laptop', kind: 'screen' });
    expect(denied.statusCode).toBe(403);
    expect(JSON.parse(denied.body)).toEqual({ error: 'admission-denied', message: 'screen sharing is for hosts only' });
    expect((await api.admit('gold-acc', { deviceId: 'a' })).limit).toBe(2);
    await api.admit('gold-acc', { deviceId: 'b' });
    expect((await api.startSession('gold-acc', { deviceId: 'c' })).statusCode).toBe(409);
    await api.admit('basic-acc', { deviceId: 'a' });
    expect((await api.startSession('basic-acc', { deviceId: 'b' })).statusCode).toBe(409);
    expect(await api.sessions('gold-acc')).toMatchObject({ limit: 2, active: 2, allowed: false });
  });

  it('ends a session at its maximum duration and says so to the device', async () => {
    // Long enough for the device to connect with its token on a loaded machine (the token dies
    // with the session), short enough to wait for.
    const maxSeconds = 8;
    await harness.subscriber({ MAX_SESSION_SECONDS: String(maxSeconds) });
    const api = harness.api({ MAX_SESSION_SECONDS: String(maxSeconds) });
    const grant = await api.admit('lesson-acc', { deviceId: 'student' });
    expect(Date.parse(grant.expiresAt) - Date.now()).toBeLessThanOrEqual(maxSeconds * 1000); // the token dies with the session
    const device = await harness.device(grant, 'student');
    device.startHeartbeats();
    await waitFor(() => device.control.length > 0, 30_000, 'the end of the session');
    device.stopHeartbeats();
    expect(device.control).toEqual([{ v: 1, type: 'expired', sessionId: grant.sessionId, reason: 'max-duration' }]);
    expect((await api.sessions('lesson-acc')).active).toBe(0);
    const refresh = await api.startSession('lesson-acc', {
      deviceId: 'student',
      sessionId: grant.sessionId,
      sessionKey: grant.sessionKey,
    });
    expect(refresh.statusCode).toBe(403);
  });

  describe('when Momento is unreachable', () => {
    // An emulator of their own: refused connections must not disturb the other tests' clients.
    let down: TrackerHarness;
    beforeAll(async () => {
      down = await TrackerHarness.start();
    });
    afterAll(() => down.stop());

    const closedPort = async () => {
      // A port nothing listens on: start and stop a server to find one.
      const { createServer } = await import('node:net');
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as { port: number };
      await new Promise((resolve) => server.close(resolve));
      return port;
    };

    it('fails closed with a 503 within the time bound', async () => {
      const api = down.api({
        MOMENTO_LOCAL_ENDPOINT: `127.0.0.1:${await closedPort()}`,
        MOMENTO_TIMEOUT_MS: '500',
        FAILURE_MODE: 'closed',
      });
      const started = Date.now();
      const result = await api.startSession('down-acc', { deviceId: 'tv' });
      expect(result.statusCode).toBe(503);
      expect(JSON.parse(result.body)).toEqual({ error: 'momento-unavailable', message: expect.any(String) });
      // Within the time bound with a generous margin for a loaded machine (5 × MOMENTO_TIMEOUT_MS).
      expect(Date.now() - started).toBeLessThan(5 * 500);
    });

    it('fails open, allowed and marked degraded, within the time bound', async () => {
      const api = down.api({ MOMENTO_TIMEOUT_MS: '500', FAILURE_MODE: 'open' });
      // Refused for far longer than the answer may take, so the answer cannot come from recovery.
      down.emulator.faults.refuseConnections(10_000);
      await sleep(50);
      const started = Date.now();
      const result = await api.startSession('down-open-acc', { deviceId: 'tv' });
      const elapsed = Date.now() - started;
      down.emulator.faults.clear();
      expect(result.statusCode).toBe(201);
      expect(JSON.parse(result.body)).toMatchObject({ degraded: true, active: 0 });
      // By its own time bound, with a generous margin (5 × MOMENTO_TIMEOUT_MS), well inside the refusal.
      expect(elapsed).toBeLessThan(5 * 500);
    });
  });
});
