import { cacheKeys } from '../../../lambda/core/engine/cache-keys';
import { admittedSession, engineFixture, type EngineFixture } from './support/engine-fixture';

describe('device messages, expiry and ending sessions', () => {
  let fx: EngineFixture;
  const heartbeat = (sessionId: string, deviceId: string) => ({
    v: 1 as const,
    type: 'heartbeat' as const,
    sessionId,
    deviceId,
  });
  const stop = (sessionId: string, deviceId: string) => ({ v: 1 as const, type: 'stop' as const, sessionId, deviceId });

  beforeEach(() => {
    fx = engineFixture();
  });

  it('keeps a session alive with heartbeats and reports its last heartbeat', async () => {
    const engine = fx.engineWith();
    const session = admittedSession(await engine.admit({ accountId: 'acc', deviceId: 'tv' }));
    for (let i = 0; i < 5; i += 1) {
      fx.clock.advance(1000);
      expect(await engine.heartbeat('acc', heartbeat(session.sessionId, 'tv'))).toBe('refreshed');
    }
    const view = await engine.listSessions('acc');
    expect(view.active).toBe(1);
    expect(view.sessions[0]).toEqual({
      sessionId: session.sessionId,
      deviceId: 'tv',
      startedAt: new Date(session.startedAt).toISOString(),
    });
    // The heartbeat time lives in the deadline index: the session check reads it, the list does not.
    expect(await engine.checkSession('acc', session.sessionId)).toMatchObject({
      lastHeartbeatAt: new Date(fx.clock.current).toISOString(),
      expiresAt: new Date(fx.clock.current + 3000).toISOString(),
    });
    expect(fx.metrics.get('HeartbeatsProcessed')).toBe(5);
  });

  it('counts a heartbeat for the token’s account only: another account cannot refresh the session', async () => {
    const engine = fx.engineWith();
    const session = admittedSession(await engine.admit({ accountId: 'acc', deviceId: 'tv' }));
    expect(await engine.heartbeat('mallory', heartbeat(session.sessionId, 'tv'))).toBe('rejected');
    expect(await engine.stop('mallory', stop(session.sessionId, 'tv'))).toBe('rejected');
    expect(await engine.heartbeat('acc', heartbeat(session.sessionId, 'another-device'))).toBe('rejected');
    expect(fx.metrics.get('HeartbeatsRejected')).toBe(3);
    expect((await engine.listSessions('acc')).active).toBe(1);
  });

  it('releases the place at once on stop and reports it once', async () => {
    const engine = fx.engineWith({ DEFAULT_LIMIT: '1' });
    const session = admittedSession(await engine.admit({ accountId: 'acc', deviceId: 'tv' }));
    expect(await engine.stop('acc', stop(session.sessionId, 'tv'))).toBe('stopped');
    expect(await engine.stop('acc', stop(session.sessionId, 'tv'))).toBe('already-ended');
    expect((await engine.listSessions('acc')).active).toBe(0);
    expect(await engine.admit({ accountId: 'acc', deviceId: 'phone' })).toMatchObject({ kind: 'admitted' });
    expect(fx.events.ofType('Session Stopped')).toHaveLength(1);
    expect(fx.metrics.get('SessionsStopped')).toBe(1);
  });

  it('expires a silent device within one lease and reports it exactly once across two subscribers', async () => {
    const first = fx.engineWith();
    const second = fx.engineWith();
    const session = admittedSession(await first.admit({ accountId: 'acc', deviceId: 'tv' }));
    fx.clock.advance(2999);
    expect((await first.sweep([0])).ended).toBe(0);
    expect((await first.listSessions('acc')).active).toBe(1);
    fx.clock.advance(2);
    expect(await first.checkSession('acc', session.sessionId)).toBeUndefined(); // its deadline passed
    const [a, b] = await Promise.all([first.sweep([0]), second.sweep([0])]);
    expect(a.ended + b.ended).toBe(1);
    expect((await first.listSessions('acc')).active).toBe(0); // the sweep released its place
    expect(fx.events.ofType('Session Expired')).toHaveLength(1);
    expect(fx.events.ofType('Session Expired')[0]!.detail).toMatchObject({
      sessionId: session.sessionId,
      reason: 'lease-expired',
    });
    expect(fx.topics.controlMessages('control-acc')).toEqual([
      { v: 1, type: 'expired', sessionId: session.sessionId, reason: 'lease-expired' },
    ]);
    expect(await fx.cache.sortedSetRange(cacheKeys.deadlines(0), 0, Infinity, 10)).toEqual([]);
    // A late heartbeat of the expired session is dropped, not resurrected.
    expect(await first.heartbeat('acc', heartbeat(session.sessionId, 'tv'))).toBe('already-ended');
  });

  it('keeps the place of a late heartbeat that comes before the sweep, and not after', async () => {
    const engine = fx.engineWith({ DEFAULT_LIMIT: '1' });
    const late = admittedSession(await engine.admit({ accountId: 'acc', deviceId: 'tv' }));
    fx.clock.advance(4000); // the subscriber fell behind: the deadline passed though the device kept sending
    expect(await engine.checkSession('acc', late.sessionId)).toBeUndefined();
    expect(await engine.admit({ accountId: 'acc', deviceId: 'phone' })).toMatchObject({ kind: 'limit-reached' }); // still its place
    expect(await engine.heartbeat('acc', heartbeat(late.sessionId, 'tv'))).toBe('refreshed');
    expect((await engine.listSessions('acc')).sessions.map((s) => s.sessionId)).toEqual([late.sessionId]);
    expect(fx.topics.published).toHaveLength(0);

    fx.clock.advance(4000);
    expect((await engine.sweep([0])).ended).toBe(1); // silent for a lease: ended, its place released
    const newcomer = admittedSession(await engine.admit({ accountId: 'acc', deviceId: 'phone' }));
    expect(await engine.heartbeat('acc', heartbeat(late.sessionId, 'tv'))).toBe('already-ended');
    expect(fx.topics.controlMessages('control-acc')[0]).toEqual({
      v: 1,
      type: 'expired',
      sessionId: late.sessionId,
      reason: 'lease-expired',
    });
    expect((await engine.listSessions('acc')).sessions.map((s) => s.sessionId)).toEqual([newcomer.sessionId]);
  });

  it('a late heartbeat in a scope at its limit loses its place rather than stay above the limit', async () => {
    let tier = 2;
    const engine = fx.engineWith({}, { hook: { decide: async () => ({ allow: true, limit: tier }) } });
    const tv = admittedSession(await engine.admit({ accountId: 'acc', deviceId: 'tv' }));
    admittedSession(await engine.admit({ accountId: 'acc', deviceId: 'phone' }));
    tier = 1;
    expect(await engine.admit({ accountId: 'acc', deviceId: 'tablet' })).toMatchObject({
      kind: 'limit-reached',
      limit: 1,
      active: 2,
    });
    fx.clock.advance(4000);
    expect(await engine.heartbeat('acc', heartbeat(tv.sessionId, 'tv'))).toBe('lease-lost');
    expect((await engine.listSessions('acc')).active).toBe(1);
  });

  it('with its look-ahead the sweep releases a silent device no later than one lease after its last heartbeat', async () => {
    const engine = fx.engineWith({ DEFAULT_LIMIT: '1' });
    const session = admittedSession(await engine.admit({ accountId: 'acc', deviceId: 'tv' }));
    fx.clock.advance(3000);
    expect(await engine.heartbeat('acc', heartbeat(session.sessionId, 'tv'))).toBe('refreshed');
    const lastHeartbeat = fx.clock.current;
    fx.clock.advance(3000 - 1250 - 1); // a sweep with a 1,250 ms look-ahead, just before the deadline is in reach
    expect((await engine.sweep([0], { lookaheadMs: 1250 })).ended).toBe(0);
    fx.clock.advance(1);
    expect((await engine.sweep([0], { lookaheadMs: 1250 })).ended).toBe(1);
    expect(fx.clock.current - lastHeartbeat).toBeLessThan(3000);
    expect(await engine.admit({ accountId: 'acc', deviceId: 'phone' })).toMatchObject({ kind: 'admitted' });
  });

  it('an engine that has not yet run for a lease ends no lapsed session (it has not heard every device)', async () => {
    const first = fx.engineWith();
    admittedSession(await first.admit({ accountId: 'acc', deviceId: 'tv' }));
    fx.clock.advance(10_000); // the subscriber was down; a new one starts now
    const restarted = fx.engineWith();
    expect((await restarted.sweep([0])).ended).toBe(0);
    fx.clock.advance(3000);
    expect((await restarted.sweep([0])).ended).toBe(1);
  });

  it('a sweep that knows it is behind ends only overrun maximum durations', async () => {
    const engine = fx.engineWith();
    admittedSession(await engine.admit({ accountId: 'acc', deviceId: 'tv' }));
    fx.clock.advance(4000);
    expect((await engine.sweep([0], { lapsed: false })).ended).toBe(0);
    expect((await engine.sweep([0])).ended).toBe(1);
  });

  it('tells a device whose lease is gone', async () => {
    const engine = fx.engineWith();
    expect(await engine.heartbeat('acc', heartbeat('never-admitted', 'tv'))).toBe('lease-lost');
    expect(await engine.heartbeat('acc', heartbeat('never-admitted', 'tv'))).toBe('lease-lost');
    expect(fx.topics.controlMessages('control-acc')).toEqual([
      { v: 1, type: 'expired', sessionId: 'never-admitted', reason: 'lease-lost' },
    ]);
  });

  it('ends a session at its maximum duration, on a heartbeat or by the sweep', async () => {
    const engine = fx.engineWith({ MAX_SESSION_SECONDS: '5' });
    const chatty = admittedSession(await engine.admit({ accountId: 'acc', deviceId: 'tv' }));
    const quiet = admittedSession(await engine.admit({ accountId: 'acc', deviceId: 'phone' }));
    expect(chatty.endsAt).toBe(chatty.startedAt + 5000);
    for (let i = 0; i < 4; i += 1) {
      fx.clock.advance(1000);
      await engine.heartbeat('acc', heartbeat(chatty.sessionId, 'tv'));
      await engine.heartbeat('acc', heartbeat(quiet.sessionId, 'phone'));
    }
    fx.clock.advance(1000);
    expect(await engine.heartbeat('acc', heartbeat(chatty.sessionId, 'tv'))).toBe('max-duration');
    expect((await engine.sweep([0])).ended).toBe(1); // the quiet one, its lease still valid
    expect((await engine.listSessions('acc')).active).toBe(0);
    const expired = fx.events.ofType('Session Expired').map((e) => e.detail);
    expect(expired.map((d) => d.reason)).toEqual(['max-duration', 'max-duration']);
    expect(fx.topics.controlMessages('control-acc').map((m) => m.type)).toEqual(['expired', 'expired']);
    // A refresh cannot extend it either.
    expect(await engine.admit({ accountId: 'acc', deviceId: 'tv', sessionId: chatty.sessionId })).toMatchObject({
      kind: 'denied',
    });
  });

  it('ends a session on request (DELETE) and tells its device', async () => {
    const engine = fx.engineWith({ DEFAULT_LIMIT: '1' });
    const session = admittedSession(await engine.admit({ accountId: 'acc', deviceId: 'tv' }));
    expect(await engine.endSession('other', session.sessionId)).toBe('not-found');
    expect(await engine.endSession('acc', session.sessionId)).toBe('ended');
    expect(await engine.endSession('acc', session.sessionId)).toBe('not-found');
    expect(fx.topics.controlMessages('control-acc')).toEqual([
      { v: 1, type: 'evicted', sessionId: session.sessionId, reason: 'ended-by-account' },
    ]);
    expect(fx.metrics.get('SessionsEnded')).toBe(1);
    expect(await engine.admit({ accountId: 'acc', deviceId: 'phone' })).toMatchObject({ kind: 'admitted' });
    expect(await engine.heartbeat('acc', heartbeat(session.sessionId, 'tv'))).toBe('already-ended');
  });

  it('tells an ended device again while it keeps heartbeating, at most once per lease, but not a stopped one', async () => {
    const engine = fx.engineWith();
    const evicted = admittedSession(await engine.admit({ accountId: 'acc', deviceId: 'tv' }));
    const stopped = admittedSession(await engine.admit({ accountId: 'acc', deviceId: 'phone' }));
    expect(await engine.endSession('acc', evicted.sessionId)).toBe('ended');
    expect(await engine.stop('acc', stop(stopped.sessionId, 'phone'))).toBe('stopped');
    const told = () => fx.topics.controlMessages('control-acc').filter((m) => m.sessionId === evicted.sessionId);
    expect(told()).toHaveLength(1); // the DELETE itself
    // The device missed it and heartbeats on: told once more, then not again within the lease.
    expect(await engine.heartbeat('acc', heartbeat(evicted.sessionId, 'tv'))).toBe('already-ended');
    fx.clock.advance(1000);
    expect(await engine.heartbeat('acc', heartbeat(evicted.sessionId, 'tv'))).toBe('already-ended');
    expect(told()).toEqual(
      [1, 2].map(() => ({ v: 1, type: 'evicted', sessionId: evicted.sessionId, reason: 'ended-by-account' })),
    );
    fx.clock.advance(3000); // a lease later
    await engine.heartbeat('acc', heartbeat(evicted.sessionId, 'tv'));
    expect(told()).toHaveLength(3);
    // A late heartbeat of a device that stopped itself needs no answer.
    expect(await engine.heartbeat('acc', heartbeat(stopped.sessionId, 'phone'))).toBe('already-ended');
    expect(fx.topics.controlMessages('control-acc').filter((m) => m.sessionId === stopped.sessionId)).toEqual([]);
  });

  it('gives lifecycle fx.events stable ids', async () => {
    const engine = fx.engineWith();
    const session = admittedSession(await engine.admit({ accountId: 'acc', deviceId: 'tv' }));
    await engine.stop('acc', stop(session.sessionId, 'tv'));
    const ids = fx.events.events.map((e) => e.detail.eventId);
    expect(new Set(ids).size).toBe(ids.length);
    ids.forEach((id) => expect(id).toMatch(/^[0-9a-f]{32}$/));
  });
});
