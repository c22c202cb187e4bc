import { cacheKeys } from '../../../lambda/core/engine/cache-keys';
import { admittedSession, engineFixture, type EngineFixture } from './support/engine-fixture';

describe('heartbeats with the deadline index batched (deadlineIndexBatch)', () => {
  let fx: EngineFixture;
  const heartbeat = (sessionId: string) => ({ v: 1 as const, type: 'heartbeat' as const, sessionId, deviceId: 'tv' });
  const deadlineOf = async (sessionId: string) =>
    (await fx.cache.sortedSetScores(cacheKeys.deadlines(0), [sessionId])).get(sessionId);

  beforeEach(() => {
    fx = engineFixture();
  });

  it('a heartbeat makes no call of its own once the session is known; the index is written by the batch', async () => {
    const engine = fx.engineWith({}, { deadlineIndexBatch: { windowMs: 60_000 } });
    const plain = fx.engineWith();
    const batched = admittedSession(await engine.admit({ accountId: 'acc', deviceId: 'tv' }));
    const direct = admittedSession(await plain.admit({ accountId: 'other', deviceId: 'tv' }));
    const admittedAt = fx.clock.current;
    await engine.heartbeat('acc', heartbeat(batched.sessionId)); // the session record is memoised from here on
    await plain.heartbeat('other', heartbeat(direct.sessionId));
    await engine.flushDeadlineIndex!();

    fx.clock.advance(1000);
    let before = fx.cache.calls;
    expect(await plain.heartbeat('other', heartbeat(direct.sessionId))).toBe('refreshed');
    expect(fx.cache.calls - before).toBe(1); // the index at once

    before = fx.cache.calls;
    expect(await engine.heartbeat('acc', heartbeat(batched.sessionId))).toBe('refreshed');
    expect(fx.cache.calls - before).toBe(0);
    expect(await deadlineOf(batched.sessionId)).toBe(admittedAt + 3000);

    before = fx.cache.calls;
    await engine.flushDeadlineIndex!();
    expect(fx.cache.calls - before).toBe(1);
    expect(await deadlineOf(batched.sessionId)).toBe(fx.clock.current + 3000);
  });

  it('writes the heartbeats of many sessions in one call per shard', async () => {
    const engine = fx.engineWith({ DEFAULT_LIMIT: '10' }, { deadlineIndexBatch: { windowMs: 60_000 } });
    const sessions = [];
    for (const device of ['a', 'b', 'c', 'd'])
      sessions.push(admittedSession(await engine.admit({ accountId: 'acc', deviceId: device })));
    fx.clock.advance(1000);
    for (const session of sessions)
      await engine.heartbeat('acc', {
        v: 1,
        type: 'heartbeat',
        sessionId: session.sessionId,
        deviceId: session.deviceId,
      });
    const before = fx.cache.calls;
    await engine.flushDeadlineIndex!();
    expect(fx.cache.calls - before).toBe(1);
    for (const session of sessions) expect(await deadlineOf(session.sessionId)).toBe(fx.clock.current + 3000);
  });

  it.each(['leases', 'interval-dictionary'])(
    'a sweep does not end a session whose newer deadline is still waiting in the writer (%s)',
    async (strategy) => {
      // The index is what the sweep ends sessions by: the writer's queued deadline is what keeps the session.
      const engine = fx.engineWith({ COUNTING_STRATEGY: strategy }, { deadlineIndexBatch: { windowMs: 60_000 } });
      const session = admittedSession(await engine.admit({ accountId: 'acc', deviceId: 'tv' }));
      fx.clock.advance(2900);
      expect(await engine.heartbeat('acc', heartbeat(session.sessionId))).toBe('refreshed');
      fx.clock.advance(200); // past the written deadline, within the queued one
      expect((await engine.sweep([0])).ended).toBe(0);
      expect((await engine.sweep([0], { lookaheadMs: 2000 })).ended).toBe(0);
      expect(fx.events.ofType('Session Expired')).toHaveLength(0);
      await engine.flushDeadlineIndex!();
      fx.clock.advance(3000); // and once the device is silent, it expires as before
      expect((await engine.sweep([0])).ended).toBe(1);
    },
  );
});
