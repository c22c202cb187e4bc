import type { AdmissionHook } from '../../../lambda/core/ports/admission-hook';
import { createEngine, MomentoUnavailableError } from '../../../lambda/core/engine/engine';
import { MomentoCallError } from '../../../lambda/core/ports/momento-ports';
import { testConfig } from './support/engine-config';
import { InMemoryCache } from './support/in-memory-cache';
import { admittedSession, engineFixture, type EngineFixture } from './support/engine-fixture';

describe('the engine (in-memory ports)', () => {
  let fx: EngineFixture;

  beforeEach(() => {
    fx = engineFixture();
  });

  it('admits up to the limit, then refuses with the active sessions', async () => {
    const engine = fx.engineWith();
    const first = admittedSession(await engine.admit({ accountId: 'acc', deviceId: 'tv', contentId: 'film' }));
    fx.clock.advance(10);
    await engine.admit({ accountId: 'acc', deviceId: 'phone' });
    const third = await engine.admit({ accountId: 'acc', deviceId: 'laptop' });
    expect(third).toMatchObject({ kind: 'limit-reached', limit: 2, active: 2 });
    expect(third.kind === 'limit-reached' && third.sessions.map((s) => s.deviceId).sort()).toEqual(['phone', 'tv']);
    const tv = third.kind === 'limit-reached' ? third.sessions.find((s) => s.deviceId === 'tv') : undefined;
    expect(tv).toMatchObject({
      sessionId: first.sessionId,
      contentId: 'film',
      startedAt: new Date(first.startedAt).toISOString(),
    });
    expect(fx.metrics.get('AdmissionsGranted')).toBe(2);
    expect(fx.metrics.get('AdmissionsDenied')).toBe(1);
    expect(fx.events.ofType('Session Admitted')).toHaveLength(2);
    expect(fx.events.ofType('Session Denied')[0]!.detail).toMatchObject({
      accountId: 'acc',
      deviceId: 'laptop',
      reason: 'limit-reached',
    });
  });

  it('lists the device names in a refusal, so the player can say which device to stop', async () => {
    const engine = fx.engineWith();
    const tv = admittedSession(await engine.admit({ accountId: 'acc', deviceId: 'tv', deviceName: 'Living-room TV' }));
    await engine.admit({ accountId: 'acc', deviceId: 'phone' });
    // A refresh keeps the name it was admitted with.
    await engine.admit({ accountId: 'acc', deviceId: 'tv', deviceName: 'Renamed', sessionId: tv.sessionId });
    const third = await engine.admit({ accountId: 'acc', deviceId: 'laptop' });
    const listed = third.kind === 'limit-reached' ? third.sessions : [];
    expect(listed.find((s) => s.deviceId === 'tv')).toMatchObject({ deviceName: 'Living-room TV' });
    expect(listed.find((s) => s.deviceId === 'phone')).not.toHaveProperty('deviceName');
  });

  it('does not count a refreshing or reconnecting device twice', async () => {
    const engine = fx.engineWith({ MAX_SESSION_SECONDS: '600' });
    const first = admittedSession(await engine.admit({ accountId: 'acc', deviceId: 'tv' }));
    const refreshed = await engine.admit({ accountId: 'acc', deviceId: 'tv', sessionId: first.sessionId });
    expect(refreshed).toMatchObject({
      kind: 'admitted',
      continued: true,
      active: 1,
      session: { sessionId: first.sessionId },
    });
    fx.clock.advance(1000);
    const reconnected = await engine.admit({ accountId: 'acc', deviceId: 'tv' }); // new start, same device
    // A new session that replaces the earlier one (which is told): still one place.
    expect(reconnected).toMatchObject({
      kind: 'admitted',
      continued: false,
      active: 1,
      replaced: { sessionId: first.sessionId },
    });
    // The device's duration window carries over, so a reconnect cannot reset a maximum duration.
    expect(admittedSession(reconnected).endsAt).toBe(first.endsAt);
    expect((await engine.listSessions('acc')).active).toBe(1);
  });

  it('a refresh with someone else’s session id is a new admission, not a continuation', async () => {
    const engine = fx.engineWith({ DEFAULT_LIMIT: '1' });
    const first = admittedSession(await engine.admit({ accountId: 'acc', deviceId: 'tv' }));
    expect(await engine.admit({ accountId: 'acc', deviceId: 'phone', sessionId: first.sessionId })).toMatchObject({
      kind: 'limit-reached',
    });
    expect(await engine.admit({ accountId: 'other', deviceId: 'tv', sessionId: first.sessionId })).toMatchObject({
      kind: 'admitted',
      continued: false,
    });
  });

  it('evicts the oldest session atomically and tells its device', async () => {
    const engine = fx.engineWith({ AT_LIMIT: 'evict-oldest' });
    const oldest = admittedSession(await engine.admit({ accountId: 'acc', deviceId: 'tv' }));
    fx.clock.advance(100);
    admittedSession(await engine.admit({ accountId: 'acc', deviceId: 'phone' }));
    fx.clock.advance(100);
    const newest = await engine.admit({ accountId: 'acc', deviceId: 'laptop' });
    expect(newest).toMatchObject({ kind: 'admitted', active: 2, evicted: { sessionId: oldest.sessionId } });
    expect(fx.topics.controlMessages('control-acc')).toEqual([
      { v: 1, type: 'evicted', sessionId: oldest.sessionId, reason: 'evicted-by-newer-session' },
    ]);
    expect(fx.events.ofType('Session Evicted')).toHaveLength(1);
    expect(fx.metrics.get('Evictions')).toBe(1);
    const view = await engine.listSessions('acc');
    expect(view.sessions.map((s) => s.deviceId).sort()).toEqual(['laptop', 'phone']);
    // The evicted device's heartbeats no longer count.
    expect(
      await engine.heartbeat('acc', { v: 1, type: 'heartbeat', sessionId: oldest.sessionId, deviceId: 'tv' }),
    ).toBe('already-ended');
  });

  it('applies the admission hook’s decision and limit', async () => {
    const decide = jest.fn<ReturnType<AdmissionHook['decide']>, Parameters<AdmissionHook['decide']>>(async (input) =>
      input.accountId === 'banned'
        ? { allow: false, reason: 'no ticket' }
        : { allow: true, limit: input.accountId === 'premium' ? 3 : 1 },
    );
    const engine = fx.engineWith({}, { hook: { decide } });
    expect(await engine.admit({ accountId: 'banned', deviceId: 'tv' })).toEqual({
      kind: 'denied',
      reason: 'no ticket',
    });
    for (const device of ['a', 'b', 'c'])
      expect(await engine.admit({ accountId: 'premium', deviceId: device })).toMatchObject({
        kind: 'admitted',
        limit: 3,
      });
    expect(await engine.admit({ accountId: 'premium', deviceId: 'd' })).toMatchObject({
      kind: 'limit-reached',
      limit: 3,
    });
    await engine.admit({ accountId: 'basic', deviceId: 'a' });
    expect(await engine.admit({ accountId: 'basic', deviceId: 'b' })).toMatchObject({
      kind: 'limit-reached',
      limit: 1,
    });
    expect(decide).toHaveBeenCalledWith(
      expect.objectContaining({ accountId: 'premium', deviceId: 'a', defaultLimit: 2, scope: 'a|premium' }),
    );
    // The entitlement check reports the hook's limit, not the default.
    expect(await engine.listSessions('premium')).toMatchObject({ limit: 3, active: 3, allowed: false });
  });

  it('tells the active devices when the hook changes a scope’s limit', async () => {
    let tier = 3;
    const engine = fx.engineWith({}, { hook: { decide: async () => ({ allow: true, limit: tier }) } });
    const tv = admittedSession(await engine.admit({ accountId: 'acc', deviceId: 'tv' }));
    const phone = admittedSession(await engine.admit({ accountId: 'acc', deviceId: 'phone' }));
    expect(fx.topics.published).toHaveLength(0); // same limit: nothing to say
    tier = 2; // downgraded
    expect(await engine.admit({ accountId: 'acc', deviceId: 'laptop' })).toMatchObject({
      kind: 'limit-reached',
      limit: 2,
    });
    expect(fx.topics.controlMessages('control-acc').sort((a, b) => a.sessionId.localeCompare(b.sessionId))).toEqual(
      [tv, phone]
        .map((s) => ({ v: 1, type: 'limit-changed', sessionId: s.sessionId, reason: 'limit 3 -> 2' }))
        .sort((a, b) => a.sessionId.localeCompare(b.sessionId)),
    );
    await engine.admit({ accountId: 'acc', deviceId: 'laptop' });
    expect(fx.topics.published).toHaveLength(2); // told once per change
  });

  it('fails closed with a typed error, or open as degraded, when Momento fails', async () => {
    fx.cache.failWith = new MomentoCallError('unavailable', 'connection refused');
    await expect(fx.engineWith().admit({ accountId: 'acc', deviceId: 'tv' })).rejects.toBeInstanceOf(
      MomentoUnavailableError,
    );
    await expect(fx.engineWith().listSessions('acc')).rejects.toBeInstanceOf(MomentoUnavailableError);
    const open = fx.engineWith({ FAILURE_MODE: 'open' });
    expect(await open.admit({ accountId: 'acc', deviceId: 'tv' })).toMatchObject({ kind: 'degraded', limit: 2 });
    expect(await open.listSessions('acc')).toMatchObject({ allowed: true, degraded: true });
    expect(fx.metrics.get('AdmissionsDegraded')).toBe(2); // every degraded answer, admission or check
    expect(fx.metrics.get('MomentoErrors')).toBeGreaterThanOrEqual(3);
  });

  it('bounds a hanging Momento by MOMENTO_TIMEOUT_MS', async () => {
    const hanging = new InMemoryCache(fx.clock);
    hanging.getBatch = () => new Promise(() => undefined);
    const engine = createEngine(testConfig({ MOMENTO_TIMEOUT_MS: '100' }), {
      cache: hanging,
      topics: fx.topics,
      now: fx.clock.now,
    });
    // The cache call never settles, so only the deadline can end the admission; it does not fire
    // early. (How late a timer fires on a busy machine is the machine's, not asserted.)
    const started = Date.now();
    await expect(engine.admit({ accountId: 'acc', deviceId: 'tv' })).rejects.toBeInstanceOf(MomentoUnavailableError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
  });

  it('requires content under the content scope and limits a room across accounts', async () => {
    const engine = fx.engineWith({ LIMIT_SCOPE: 'content' });
    await expect(engine.admit({ accountId: 'teacher', deviceId: 'a' })).rejects.toThrow(/contentId is required/);
    admittedSession(await engine.admit({ accountId: 'teacher', deviceId: 'a', contentId: 'lesson-1' }));
    admittedSession(await engine.admit({ accountId: 'student', deviceId: 'b', contentId: 'lesson-1' }));
    expect(await engine.admit({ accountId: 'intruder', deviceId: 'c', contentId: 'lesson-1' })).toMatchObject({
      kind: 'limit-reached',
    });
    const view = await engine.listSessions('student', 'lesson-1');
    expect(view).toMatchObject({ active: 2, allowed: false });
    expect(view.sessions.map((s) => s.deviceId)).toEqual(['b']); // only the caller's own sessions are listed
  });
});
