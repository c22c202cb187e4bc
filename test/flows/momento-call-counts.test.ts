import type { TokenGrantBody } from '../../lambda/core/engine/token-vending';
import { sleep, TrackerHarness, waitFor } from './support/tracker-harness';

/**
 * What one request or one heartbeat costs in Momento cache calls, counted by the emulator (the
 * calls the SDK really makes, per gRPC method). The figures are printed (docs/architecture.md
 * quotes them) and bounded by what the design promises.
 */
describe('Momento calls per operation (counted by the emulator)', () => {
  /** The cache calls made while `action` runs (topic calls and token mints left out). */
  async function cacheCalls(harness: TrackerHarness, action: () => Promise<unknown>): Promise<Record<string, number>> {
    harness.emulator.resetStats();
    await action();
    const calls = { ...harness.emulator.stats().calls };
    for (const method of Object.keys(calls))
      if (/Publish|Subscribe|GenerateDisposableToken/.test(method)) delete calls[method];
    return calls;
  }
  const total = (calls: Record<string, number>) => Object.values(calls).reduce((sum, n) => sum + n, 0);

  describe('request path', () => {
    let harness: TrackerHarness;
    beforeAll(async () => {
      harness = await TrackerHarness.start();
    });
    afterAll(() => harness.stop());

    it('an admission with the device token reused, an entitlement check and a session check', async () => {
      const api = harness.api({ DEFAULT_LIMIT: '3' });
      await api.admit('count-acc', { deviceId: 'warm-up' }); // mints and caches the account's device token
      let grant: TokenGrantBody | undefined;
      const admission = await cacheCalls(
        harness,
        async () => (grant = await api.admit('count-acc', { deviceId: 'tv', deviceName: 'Living room' })),
      );
      const entitlement = await cacheCalls(harness, () => api.sessions('count-acc'));
      const check = await cacheCalls(harness, () => api.checkSession('count-acc', grant!.sessionId));
      console.info(
        `Momento cache calls: admission ${JSON.stringify(admission)}; entitlement check ${JSON.stringify(entitlement)}; session check ${JSON.stringify(check)}`,
      );
      // One read, the atomic claim, one batched write (record and limit record), the first deadline.
      expect(admission).toEqual({ GetBatch: 1, SetIf: 1, SetBatch: 1, SortedSetPut: 1 });
      // The count and every detail the route returns come from one read.
      expect(entitlement).toEqual({ GetBatch: 1 });
      expect((await api.sessions('count-acc')).sessions).toContainEqual(
        expect.objectContaining({ sessionId: grant!.sessionId, deviceId: 'tv', deviceName: 'Living room' }),
      );
      // The record and the deadline, side by side (a scalar and a sorted-set score: two calls).
      expect(check).toEqual({ Get: 1, SortedSetGetScore: 1 });
      expect(total(check)).toBe(2);
    });
  });

  describe('heartbeats', () => {
    let harness: TrackerHarness;
    beforeAll(async () => {
      harness = await TrackerHarness.start();
    });
    afterAll(() => harness.stop());

    it('a heartbeat costs the subscriber no cache call of its own, only a share of a batched write', async () => {
      // A 1 s batch window (so this small fleet still shares its writes) under a 10 s lease.
      const env = { DEFAULT_LIMIT: '50', LEASE_SECONDS: '10' };
      const subscriber = await harness.subscriber(env, { deadlineIndexWindowMs: 1000 });
      const api = harness.api(env);
      const devices = await Promise.all(
        Array.from({ length: 20 }, async (_, i) =>
          harness.device(await api.admit('beat-acc', { deviceId: `d-${i}` }), `d-${i}`),
        ),
      );
      // The first heartbeat this process hears of a session reads its record and deadline and renews its lease once.
      const first = await cacheCalls(harness, async () => {
        await Promise.all(devices.map((device) => device.heartbeat()));
        await waitFor(() => subscriber.stats().messages.outcomes.refreshed >= 20, 15_000, 'the first heartbeats');
      });
      const before = subscriber.stats().messages.outcomes.refreshed;
      const calls = await cacheCalls(harness, async () => {
        for (let round = 0; round < 5; round += 1) {
          await Promise.all(devices.map((device) => device.heartbeat()));
          await waitFor(
            () => subscriber.stats().messages.outcomes.refreshed >= before + 20 * (round + 1),
            15_000,
            'a round of heartbeats',
          );
        }
        await sleep(1500); // the batched writes of the last round (a 1 s window)
      });
      const heartbeats = subscriber.stats().messages.outcomes.refreshed - before;
      delete calls.SortedSetFetch; // the sweep's range reads of the index: per shard and period, not per heartbeat
      console.info(
        `Momento cache calls: first heartbeat of 20 sessions ${JSON.stringify(first)}; ${heartbeats} later heartbeats ${JSON.stringify(calls)} ` +
          `(${(total(calls) / heartbeats).toFixed(3)} per heartbeat)`,
      );
      expect(first).toMatchObject({ Get: 20, SortedSetGetScore: 20, SetIf: 20 });
      expect(heartbeats).toBe(100);
      expect(Object.keys(calls)).toEqual(['SortedSetPut']);
      expect(calls.SortedSetPut).toBeLessThanOrEqual(heartbeats / 10);
    });
  });
});
