import { MomentoUnavailableError } from '../../../lambda/core/engine/engine';
import { LeaseStrategy } from '../../../lambda/core/engine/lease-strategy';
import { MomentoCallError } from '../../../lambda/core/ports/momento-ports';
import { testConfig } from './support/engine-config';
import { admittedSession, engineFixture, type EngineFixture } from './support/engine-fixture';

// Each test here performs an attack of issue 11 against the engine (in-memory ports).

describe('the engine under attack (issue 11)', () => {
  let fx: EngineFixture;

  beforeEach(() => {
    fx = engineFixture();
  });

  /** Leases claimed from the lowest free slot, so a test knows which device sits where. */
  const lowestSlotFirst = (env: Record<string, string> = {}) =>
    new LeaseStrategy(fx.cache, testConfig(env).leaseSeconds, () => 0);

  describe('one device id on many screens (item 1)', () => {
    it('tells the replaced session at once, reports it evicted, and lists only the newer session', async () => {
      const engine = fx.engineWith({ DEFAULT_LIMIT: '1' });
      const first = admittedSession(await engine.admit({ accountId: 'acc', deviceId: 'living-room-tv' }));
      const copy = await engine.admit({ accountId: 'acc', deviceId: 'living-room-tv' }); // the copied device id
      const second = admittedSession(copy);
      expect(second.sessionId).not.toBe(first.sessionId);
      expect(copy).toMatchObject({ kind: 'admitted', continued: false, replaced: { sessionId: first.sessionId } });
      // Told during the admission itself, before the 201 goes out.
      expect(fx.topics.controlMessages('control-acc')).toEqual([
        { v: 1, type: 'evicted', sessionId: first.sessionId, reason: 'replaced' },
      ]);
      expect(fx.events.ofType('Session Evicted').map((e) => e.detail)).toEqual([
        expect.objectContaining({ sessionId: first.sessionId, reason: 'replaced' }),
      ]);
      expect(fx.metrics.get('Evictions')).toBe(1);
      const view = await engine.listSessions('acc');
      expect(view).toMatchObject({ active: 1 });
      expect(view.sessions.map((s) => s.sessionId)).toEqual([second.sessionId]);
      // The first screen's heartbeats no longer count, and the session check refuses it.
      expect(
        await engine.heartbeat('acc', {
          v: 1,
          type: 'heartbeat',
          sessionId: first.sessionId,
          deviceId: 'living-room-tv',
        }),
      ).toBe('already-ended');
      expect(await engine.checkSession('acc', first.sessionId)).toBeUndefined();
      expect(await engine.checkSession('acc', second.sessionId)).toMatchObject({ sessionId: second.sessionId });
    });
  });

  describe('cross-account takeover under LIMIT_SCOPE=content (item 2)', () => {
    it('another account’s same-named device id is a new claim and never retires the first account’s session', async () => {
      const engine = fx.engineWith({ LIMIT_SCOPE: 'content', DEFAULT_LIMIT: '3' });
      const bob = admittedSession(await engine.admit({ accountId: 'bob', deviceId: 'web', contentId: 'room-1' }));
      const mallory = await engine.admit({ accountId: 'mallory', deviceId: 'web', contentId: 'room-1' });
      expect(mallory).toMatchObject({ kind: 'admitted', continued: false, active: 2 });
      expect(mallory.kind === 'admitted' && mallory.replaced).toBeUndefined();
      expect(
        await engine.heartbeat('bob', { v: 1, type: 'heartbeat', sessionId: bob.sessionId, deviceId: 'web' }),
      ).toBe('refreshed');
      expect((await engine.listSessions('bob', 'room-1')).sessions.map((s) => s.sessionId)).toEqual([bob.sessionId]);
      expect(fx.topics.published).toHaveLength(0);
      expect(fx.events.ofType('Session Evicted')).toHaveLength(0);
    });

    it('a room that is full stays full for another account reusing a holder’s device id', async () => {
      const engine = fx.engineWith({ LIMIT_SCOPE: 'content', DEFAULT_LIMIT: '1' });
      const bob = admittedSession(await engine.admit({ accountId: 'bob', deviceId: 'web', contentId: 'room-1' }));
      expect(await engine.admit({ accountId: 'mallory', deviceId: 'web', contentId: 'room-1' })).toMatchObject({
        kind: 'limit-reached',
        active: 1,
      });
      expect(
        await engine.heartbeat('bob', { v: 1, type: 'heartbeat', sessionId: bob.sessionId, deviceId: 'web' }),
      ).toBe('refreshed');
    });
  });

  describe('FAILURE_MODE=open (item 9)', () => {
    it.each(['permission', 'authentication', 'invalid', 'not-found', 'other'] as const)(
      'does not fail open on a %s error',
      async (kind) => {
        const engine = fx.engineWith({ FAILURE_MODE: 'open' });
        fx.cache.failWith = new MomentoCallError(kind, `${kind} refused`);
        await expect(engine.admit({ accountId: 'acc', deviceId: 'tv' })).rejects.toBeInstanceOf(
          MomentoUnavailableError,
        );
        await expect(engine.listSessions('acc')).rejects.toBeInstanceOf(MomentoUnavailableError);
        expect(fx.metrics.get('AdmissionsDegraded')).toBe(0);
      },
    );

    it('fails open when Momento is unavailable, and counts every degraded answer', async () => {
      const engine = fx.engineWith({ FAILURE_MODE: 'open' });
      fx.cache.failWith = new MomentoCallError('unavailable', 'connection refused');
      expect(await engine.admit({ accountId: 'acc', deviceId: 'tv' })).toMatchObject({ kind: 'degraded' });
      expect(await engine.listSessions('acc')).toMatchObject({ degraded: true, allowed: true });
      expect(fx.metrics.get('AdmissionsDegraded')).toBe(2);
    });
  });

  describe('a session cut at its maximum duration (item 10)', () => {
    const MAX = { MAX_SESSION_SECONDS: '60' };

    it('does not restart with a fresh duration when the same device asks again without sessionId', async () => {
      const engine = fx.engineWith(MAX);
      const first = admittedSession(await engine.admit({ accountId: 'acc', deviceId: 'tv' }));
      fx.clock.advance(61_000);
      expect((await engine.sweep([0])).ended).toBe(1);
      const again = await engine.admit({ accountId: 'acc', deviceId: 'tv' });
      expect(again).toMatchObject({ kind: 'denied' });
      expect(again.kind === 'denied' && again.reason).toMatch(/maximum session duration/);
      // After the cool-down (one more maximum duration) the device may start afresh.
      fx.clock.advance(60_000);
      const later = admittedSession(await engine.admit({ accountId: 'acc', deviceId: 'tv' }));
      expect(later.endsAt).toBe(fx.clock.now() + 60_000);
      expect(first.endsAt).toBeLessThan(later.startedAt);
    });

    it('a stop and a fresh start keep the device’s clock', async () => {
      const engine = fx.engineWith(MAX);
      const first = admittedSession(await engine.admit({ accountId: 'acc', deviceId: 'tv' }));
      fx.clock.advance(50_000);
      expect(await engine.stop('acc', { v: 1, type: 'stop', sessionId: first.sessionId, deviceId: 'tv' })).toBe(
        'stopped',
      );
      const second = admittedSession(await engine.admit({ accountId: 'acc', deviceId: 'tv' }));
      expect(second.endsAt).toBe(first.endsAt);
      // Another device of the account has its own clock.
      expect(admittedSession(await engine.admit({ accountId: 'acc', deviceId: 'phone' })).endsAt).toBe(
        fx.clock.now() + 60_000,
      );
    });

    it('a refusal at the limit does not start the device’s clock', async () => {
      const engine = fx.engineWith({ ...MAX, DEFAULT_LIMIT: '1' });
      const tv = admittedSession(await engine.admit({ accountId: 'acc', deviceId: 'tv' }));
      expect(await engine.admit({ accountId: 'acc', deviceId: 'phone' })).toMatchObject({ kind: 'limit-reached' });
      fx.clock.advance(50_000);
      await engine.stop('acc', { v: 1, type: 'stop', sessionId: tv.sessionId, deviceId: 'tv' });
      expect(admittedSession(await engine.admit({ accountId: 'acc', deviceId: 'phone' })).endsAt).toBe(
        fx.clock.now() + 60_000,
      );
    });
  });

  describe('lowered limits (item 11)', () => {
    /** tv, phone and laptop in slots 0, 1 and 2 under limit 3. */
    async function threeDevices(engine: ReturnType<EngineFixture['engineWith']>) {
      const sessions = [];
      for (const deviceId of ['tv', 'phone', 'laptop'])
        sessions.push(admittedSession(await engine.admit({ accountId: 'acc', deviceId })));
      expect(sessions.map((s) => s.slot)).toEqual([0, 1, 2]);
      return sessions;
    }
    const beat = (engine: ReturnType<EngineFixture['engineWith']>, s: { sessionId: string; deviceId: string }) =>
      engine.heartbeat('acc', { v: 1, type: 'heartbeat', sessionId: s.sessionId, deviceId: s.deviceId });
    /** Three devices as in threeDevices; then a hook lowers the limit to 2, and a fourth device is refused. */
    async function limitLoweredByHook() {
      let tier = 3;
      const engine = fx.engineWith(
        {},
        { hook: { decide: async () => ({ allow: true, limit: tier }) }, strategy: lowestSlotFirst() },
      );
      const [tv, phone, laptop] = await threeDevices(engine);
      tier = 2;
      expect(await engine.admit({ accountId: 'acc', deviceId: 'tablet' })).toMatchObject({
        kind: 'limit-reached',
        limit: 2,
      });
      return { engine, tv: tv!, phone: phone!, laptop: laptop! };
    }
    /** Two devices beat in time; the third beats only after its lease lapsed. The late heartbeat's outcome. */
    async function lateHeartbeat(
      engine: ReturnType<EngineFixture['engineWith']>,
      inTime: { sessionId: string; deviceId: string }[],
      late: { sessionId: string; deviceId: string },
    ) {
      fx.clock.advance(2000);
      for (const session of inTime) await beat(engine, session);
      fx.clock.advance(2000);
      return beat(engine, late);
    }

    it('after a hook lowers the limit, a late heartbeat does not reclaim a slot at or above it', async () => {
      const { engine, tv, phone, laptop } = await limitLoweredByHook();
      // The laptop's lease (slot 2) lapses.
      expect(await lateHeartbeat(engine, [tv, phone], laptop)).not.toBe('refreshed');
      expect((await engine.listSessions('acc')).active).toBeLessThanOrEqual(2);
    });

    it('after a hook lowers the limit, a late heartbeat does not reclaim a free slot below it while the limit is used', async () => {
      const { engine, tv, phone, laptop } = await limitLoweredByHook();
      // The tv's lease (slot 0) lapses; phone and laptop hold 2 of limit 2.
      expect(await lateHeartbeat(engine, [phone, laptop], tv)).not.toBe('refreshed');
      expect((await engine.listSessions('acc')).active).toBe(2);
    });

    it('after DEFAULT_LIMIT is lowered by a redeploy, holders of higher slots still count and a late heartbeat cannot overshoot', async () => {
      const before = fx.engineWith({ DEFAULT_LIMIT: '3' }, { strategy: lowestSlotFirst() });
      const [tv, phone, laptop] = await threeDevices(before);
      const after = fx.engineWith({ DEFAULT_LIMIT: '2' }, { strategy: lowestSlotFirst() }); // the redeployed code
      const view = await after.listSessions('acc');
      expect(view).toMatchObject({ limit: 2, active: 3, allowed: false });
      expect(view.sessions.map((s) => s.deviceId).sort()).toEqual(['laptop', 'phone', 'tv']);
      expect(await after.admit({ accountId: 'acc', deviceId: 'tablet' })).toMatchObject({
        kind: 'limit-reached',
        active: 3,
      });
      expect(await lateHeartbeat(after, [tv!, phone!], laptop!)).not.toBe('refreshed');
      expect((await after.listSessions('acc')).active).toBe(2);
    });
  });

  describe('the session check', () => {
    it('answers the session while it is counted, in at most three cache calls, and nothing once it ended', async () => {
      const engine = fx.engineWith();
      const session = admittedSession(await engine.admit({ accountId: 'acc', deviceId: 'tv', contentId: 'film' }));
      fx.clock.advance(500);
      await engine.heartbeat('acc', { v: 1, type: 'heartbeat', sessionId: session.sessionId, deviceId: 'tv' });
      const calls = fx.cache.calls;
      const view = await engine.checkSession('acc', session.sessionId);
      expect(fx.cache.calls - calls).toBeLessThanOrEqual(3);
      expect(view).toEqual({
        sessionId: session.sessionId,
        deviceId: 'tv',
        contentId: 'film',
        startedAt: new Date(session.startedAt).toISOString(),
        lastHeartbeatAt: new Date(fx.clock.now()).toISOString(),
        expiresAt: new Date(fx.clock.now() + 3000).toISOString(),
      });
      expect(await engine.checkSession('other', session.sessionId)).toBeUndefined();
      expect(await engine.checkSession('acc', 'never-issued')).toBeUndefined();
      expect(await engine.endSession('acc', session.sessionId)).toBe('ended');
      expect(await engine.checkSession('acc', session.sessionId)).toBeUndefined();
    });

    it('refuses a session whose lease lapsed even before the sweep ended it', async () => {
      const engine = fx.engineWith();
      const session = admittedSession(await engine.admit({ accountId: 'acc', deviceId: 'tv' }));
      fx.clock.advance(3500);
      expect(await engine.checkSession('acc', session.sessionId)).toBeUndefined();
    });

    it('fails closed with a typed error when Momento fails, whatever FAILURE_MODE says', async () => {
      const engine = fx.engineWith({ FAILURE_MODE: 'open' });
      fx.cache.failWith = new MomentoCallError('unavailable', 'connection refused');
      await expect(engine.checkSession('acc', 's-1')).rejects.toBeInstanceOf(MomentoUnavailableError);
    });
  });
});
