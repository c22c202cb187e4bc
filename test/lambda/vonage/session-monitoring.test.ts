import fc from 'fast-check';
import { expireRooms } from '../../../lambda/vonage/room-expiry';
import { callbacks, CACHE_NAME, tokenDataOf, useVonageHarness } from './vonage-harness';

/**
 * Replayed session-monitoring sequences against the emulator (Momento) and a stand-in for
 * Vonage's REST API that records what the official SDK sent.
 */
describe('Vonage session monitoring on the engine', () => {
  const harness = useVonageHarness();
  /** A fresh lesson room with tickets for alice (teacher), bob and carol (students). */
  const lesson = () => harness.ticketedRoom('lesson', { alice: 'teacher', bob: 'student', carol: 'student' });

  describe('signed callbacks', () => {
    it('answers 401 to unsigned, wrongly signed and tampered callbacks and changes nothing', async () => {
      const roomId = await lesson();
      const alice = await harness.join('alice', roomId);
      const created = callbacks.connectionCreated(alice.sessionId, alice.connectionId, alice.data, harness.clock);
      const before = harness.cacheSize();

      const unsigned = await harness.callback(created, { header: null });
      const garbage = await harness.callback(created, { header: 'Bearer not-a-jwt' });
      const wrongSecret = await harness.callback(created, { secret: 'someone-elses-secret' });
      const tampered = await harness.callback(created, {
        hashOf: JSON.stringify({ ...created, connection: { id: 'other' } }),
      });

      for (const response of [unsigned, garbage, wrongSecret, tampered]) {
        expect(response.status).toBe(401);
        expect(response.body.error).toBe('unauthorized');
      }
      expect(harness.cacheSize()).toBe(before);
      expect(await harness.seatedConnections(roomId)).toEqual([]);
      expect(harness.vonage.enforcementCalls()).toEqual([]);
    });

    it('answers 200 to valid events it ignores, and 400 to a signed body that is not a callback', async () => {
      const ignored = await harness.callback({
        sessionId: 's',
        projectId: '1',
        event: 'sessionCreated',
        timestamp: harness.clock,
      });
      expect(ignored).toEqual({ status: 200, body: { status: 'ignored', event: 'sessionCreated' } });
      const malformed = await harness.callback({ event: 'connectionCreated', sessionId: 's' });
      expect(malformed.status).toBe(400);
    });
  });

  describe('room size', () => {
    it('refuses a third token in a one-to-one room and disconnects a third participant who joins anyway', async () => {
      const roomId = await lesson();
      const alice = await harness.join('alice', roomId);
      const bob = await harness.join('bob', roomId);

      const carol = await harness.requestToken('carol', roomId);
      expect(carol.status).toBe(409);
      expect(carol.body).toMatchObject({ error: 'room-full', capacity: 2, active: 2 });

      expect((await harness.connectionCreated(alice)).body.status).toBe('seated');
      expect((await harness.connectionCreated(bob)).body.status).toBe('seated');

      // Carol joins with bob's token (a shared link): a token seats one connection, once.
      const intruder = callbacks.connectionId();
      const shared = await harness.callback(
        callbacks.connectionCreated(bob.sessionId, intruder, bob.data, harness.clock),
      );
      expect(shared.body.status).toBe('disconnected-token-reused');
      // And a connection with a token this service never vended is not authorised at all.
      const stranger = callbacks.connectionId();
      const foreign = await harness.callback(
        callbacks.connectionCreated(bob.sessionId, stranger, undefined, harness.clock),
      );
      expect(foreign.body.status).toBe('disconnected-not-authorised');

      expect(harness.vonage.disconnected()).toEqual([intruder, stranger]);
      expect(await harness.seatedConnections(roomId)).toEqual([alice.connectionId, bob.connectionId].sort());
      expect(harness.events.ofType('Session Denied').length).toBeGreaterThanOrEqual(3);
    });

    it('admits exactly the capacity when many ask for the same room at once, and times the callback path', async () => {
      const roomId = 'simultaneous-1';
      const users = Array.from({ length: 12 }, (_, i) => `user-${i}`);
      // The open room type has 5 seats and no tickets.
      const answers = await Promise.all(users.map((user) => harness.requestToken(user, roomId)));
      expect(answers.filter((a) => a.status === 200)).toHaveLength(5);
      expect(answers.filter((a) => a.status === 409).every((a) => a.body.error === 'room-full')).toBe(true);

      const admitted = answers.filter((a) => a.status === 200);
      const started = process.hrtime.bigint();
      await Promise.all(
        admitted.map((a) => {
          const token = a.body.token as string;
          return harness.callback(
            callbacks.connectionCreated(
              a.body.sessionId as string,
              callbacks.connectionId(),
              tokenDataOf(token),
              harness.clock,
            ),
          );
        }),
      );
      const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
      expect(await harness.seatedConnections(roomId)).toHaveLength(5);
      // Figure for the report: signed connectionCreated callbacks handled end to end (emulator, in-process).
      console.log(
        `vonage: ${admitted.length} simultaneous signed connectionCreated callbacks seated in ${elapsedMs.toFixed(1)} ms`,
      );
    });

    it("moves a user's reservation to their newest token instead of taking a second seat (a page reload)", async () => {
      const roomId = await lesson();
      const first = await harness.join('alice', roomId);
      const reloaded = await harness.join('alice', roomId);
      await harness.join('bob', roomId);
      expect((await harness.requestToken('carol', roomId)).status).toBe(409);
      expect((await harness.connectionCreated(reloaded)).body.status).toBe('seated');
      // The stale token lost its reservation: used now, it finds the room full.
      const stale = await harness.connectionCreated(first);
      expect(stale.body.status).toBe('disconnected-room-full');
    });

    it('counts a retried connectionCreated once and releases the seat on connectionDestroyed', async () => {
      const roomId = await lesson();
      const alice = await harness.join('alice', roomId);
      const created = callbacks.connectionCreated(alice.sessionId, alice.connectionId, alice.data, harness.clock);
      expect((await harness.callback(created)).body.status).toBe('seated');
      expect((await harness.callback(created)).body.status).toBe('duplicate');
      // Simultaneous retries: still one seat.
      await Promise.all([harness.callback(created), harness.callback(created)]);
      expect(await harness.seatedConnections(roomId)).toEqual([alice.connectionId]);

      const bob = await harness.join('bob', roomId);
      await harness.connectionCreated(bob);
      expect((await harness.requestToken('carol', roomId)).status).toBe(409);

      const destroyed = callbacks.connectionDestroyed(bob.sessionId, bob.connectionId, bob.data, harness.clock + 1000);
      expect((await harness.callback(destroyed)).body.status).toBe('released');
      expect((await harness.callback(destroyed)).body.status).toBe('tombstoned');
      expect(await harness.seatedConnections(roomId)).toEqual([alice.connectionId]);
      expect(harness.vonage.disconnected()).toEqual([]);
      // The freed seat is available at once.
      expect((await harness.requestToken('carol', roomId)).status).toBe(200);
    });

    it('leaves no ghost seat when connectionDestroyed arrives before its connectionCreated', async () => {
      const roomId = await lesson();
      const bob = await harness.join('bob', roomId);
      const destroyed = callbacks.connectionDestroyed(bob.sessionId, bob.connectionId, bob.data, harness.clock + 5000);
      expect((await harness.callback(destroyed)).body.status).toBe('tombstoned');
      const lateCreated = callbacks.connectionCreated(bob.sessionId, bob.connectionId, bob.data, harness.clock);
      expect((await harness.callback(lateCreated)).body.status).toBe('late');
      expect((await harness.callback(lateCreated)).body.status).toBe('late');

      expect(await harness.seatedConnections(roomId)).toEqual([]);
      // The reservation went too: two others fit in the one-to-one room.
      expect((await harness.requestToken('alice', roomId)).status).toBe(200);
      expect((await harness.requestToken('carol', roomId)).status).toBe(200);
      expect(harness.vonage.disconnected()).toEqual([]);
    });

    it('ends every replayed lesson empty and untouched, whatever the order and duplicates of its events', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 0, max: 2 ** 31 - 1 }),
          fc.array(fc.nat(9), { maxLength: 4 }),
          async (seed, duplicates) => {
            const roomId = await lesson();
            const alice = await harness.join('alice', roomId);
            const bob = await harness.join('bob', roomId);
            const t = harness.clock;
            // A whole lesson as Vonage reports it, in the article's and the reference's shapes.
            const lessonEvents: unknown[] = [
              { sessionId: alice.sessionId, projectId: '123456', event: 'sessionCreated', timestamp: t },
              callbacks.connectionCreated(alice.sessionId, alice.connectionId, alice.data, t + 1),
              callbacks.connectionCreated(bob.sessionId, bob.connectionId, bob.data, t + 2),
              callbacks.streamCreated(
                alice.sessionId,
                `cam-${alice.connectionId}`,
                alice.connectionId,
                alice.data,
                'camera',
                t + 3,
              ),
              callbacks.streamCreated(
                alice.sessionId,
                `screen-${alice.connectionId}`,
                alice.connectionId,
                alice.data,
                'screen',
                t + 4,
              ),
              callbacks.streamCreated(
                bob.sessionId,
                `cam-${bob.connectionId}`,
                bob.connectionId,
                bob.data,
                'camera',
                t + 5,
              ),
              callbacks.streamDestroyed(
                bob.sessionId,
                `cam-${bob.connectionId}`,
                bob.connectionId,
                bob.data,
                'camera',
                t + 6,
              ),
              callbacks.connectionDestroyed(bob.sessionId, bob.connectionId, bob.data, t + 7),
              callbacks.connectionDestroyed(alice.sessionId, alice.connectionId, alice.data, t + 8),
              { sessionId: alice.sessionId, projectId: '123456', event: 'sessionDestroyed', timestamp: t + 9 },
            ];
            const replay = [...lessonEvents, ...duplicates.map((i) => lessonEvents[i])];
            // Deterministic shuffle from the seed (fast-check shrinks the seed on failure).
            let state = seed;
            for (let i = replay.length - 1; i > 0; i -= 1) {
              state = (Math.imul(state, 1103515245) + 12345) >>> 0;
              const j = state % (i + 1);
              [replay[i], replay[j]] = [replay[j], replay[i]];
            }
            for (const event of replay) expect((await harness.callback(event)).status).toBe(200);
            expect(await harness.seatedConnections(roomId)).toEqual([]);
            expect(harness.vonage.enforcementCalls()).toEqual([]);
          },
        ),
        { numRuns: 15 },
      );
    });

    it('settles a destroy racing its create without a ghost seat', async () => {
      const roomId = await lesson();
      for (let i = 0; i < 5; i += 1) {
        const bob = await harness.join('bob', roomId);
        await Promise.all([harness.connectionCreated(bob), harness.connectionDestroyed(bob, harness.clock + 10)]);
        expect(await harness.seatedConnections(roomId)).toEqual([]);
      }
    });
  });

  describe('who may join', () => {
    it('vends tokens only to ticket holders, with their role in the token data', async () => {
      const roomId = await lesson();
      const stranger = await harness.requestToken('mallory', roomId);
      expect(stranger.status).toBe(409);
      expect(stranger.body.error).toBe('not-a-ticket-holder');

      const alice = await harness.join('alice', roomId);
      expect(alice.response.body).toMatchObject({
        role: 'teacher',
        vonageRole: 'publisher',
        roomId,
        applicationId: expect.any(String),
      });
      expect(JSON.parse(alice.data)).toMatchObject({ v: 1, room: roomId, user: 'alice', role: 'teacher' });
      // The token is for the room's Vonage session, created through the SDK once per room.
      expect(harness.vonage.calls.filter((c) => c.path === '/session/create')).toHaveLength(1);
      await harness.join('bob', roomId);
      expect(harness.vonage.calls.filter((c) => c.path === '/session/create')).toHaveLength(1);
    });

    it('answers 400 to a bad room id', async () => {
      const response = await harness.requestToken('alice', 'no spaces allowed');
      expect(response.status).toBe(400);
    });
  });

  describe('screen-share policy', () => {
    it('stops a screen share by a role that may not share, and leaves an allowed role alone', async () => {
      const roomId = await lesson();
      const alice = await harness.join('alice', roomId);
      const bob = await harness.join('bob', roomId);
      await harness.connectionCreated(alice);
      await harness.connectionCreated(bob);

      const teacherScreen = await harness.callback(
        callbacks.streamCreated(
          alice.sessionId,
          'stream-alice-screen',
          alice.connectionId,
          alice.data,
          'screen',
          harness.clock,
        ),
      );
      const studentCamera = await harness.callback(
        callbacks.streamCreated(
          bob.sessionId,
          'stream-bob-camera',
          bob.connectionId,
          bob.data,
          'camera',
          harness.clock,
        ),
      );
      expect(teacherScreen.body.status).toBe('stream-allowed');
      expect(studentCamera.body.status).toBe('stream-allowed');
      expect(harness.vonage.enforcementCalls()).toEqual([]);

      const studentScreen = callbacks.streamCreated(
        bob.sessionId,
        'stream-bob-screen',
        bob.connectionId,
        bob.data,
        'screen',
        harness.clock,
      );
      expect((await harness.callback(studentScreen)).body.status).toBe('stream-stopped');
      expect((await harness.callback(studentScreen)).body.status).toBe('duplicate');

      const signal = harness.vonage.signals();
      expect(signal).toHaveLength(1);
      expect(signal[0].path).toContain(`/connection/${bob.connectionId}/signal`);
      expect(JSON.parse(signal[0].body)).toMatchObject({ type: 'policy' });
      expect(harness.vonage.disconnected()).toEqual([bob.connectionId]);
      expect(harness.events.ofType('Session Evicted').some((e) => e.detail.deviceId === bob.connectionId)).toBe(true);
    });

    it('does not act on a streamCreated that arrives after its streamDestroyed', async () => {
      const roomId = await lesson();
      const bob = await harness.join('bob', roomId);
      await harness.connectionCreated(bob);
      await harness.callback(
        callbacks.streamDestroyed(
          bob.sessionId,
          'stream-late',
          bob.connectionId,
          bob.data,
          'screen',
          harness.clock + 10,
        ),
      );
      const late = await harness.callback(
        callbacks.streamCreated(bob.sessionId, 'stream-late', bob.connectionId, bob.data, 'screen', harness.clock),
      );
      expect(late.body.status).toBe('late');
      expect(harness.vonage.enforcementCalls()).toEqual([]);
    });
  });

  describe('room duration', () => {
    it('starts the hour when the second participant joins, shortens tokens to what remains, and empties the room when it runs out', async () => {
      // Ten days on, with rooms of earlier tests cleared out, so the counts below are this room's.
      harness.clock += 10 * 24 * 3600 * 1000;
      await expireRooms(harness.deps);
      harness.vonage.calls.length = 0;
      const roomId = await lesson();
      const start = harness.clock;
      const alice = await harness.join('alice', roomId);
      await harness.connectionCreated(alice, start);
      expect(await harness.deps.seats.startedAt(roomId)).toBeUndefined();

      const bob = await harness.join('bob', roomId);
      await harness.connectionCreated(bob, start + 2000);
      expect(await harness.deps.seats.startedAt(roomId)).toBe(start + 2000);

      // Bob drops and rejoins 50 minutes in: his new token ends with the lesson.
      await harness.connectionDestroyed(bob, start + 3_000_000);
      harness.clock = start + 3_000_000;
      const again = await harness.join('bob', roomId);
      expect(Date.parse(again.response.body.expiresAt as string)).toBeLessThanOrEqual(start + 2000 + 3_600_000);
      await harness.connectionCreated(again);

      harness.clock = start + 2000 + 3_599_000;
      expect(await expireRooms(harness.deps)).toMatchObject({ roomsEnded: 0, disconnected: 0 });
      expect(harness.vonage.disconnected()).toEqual([]);

      harness.clock = start + 2000 + 3_600_000 + 30_000;
      expect(await expireRooms(harness.deps)).toMatchObject({ roomsEnded: 1, disconnected: 2 });
      expect(harness.vonage.disconnected().sort()).toEqual([alice.connectionId, again.connectionId].sort());
      expect(await harness.seatedConnections(roomId)).toEqual([]);
      expect(harness.events.ofType('Session Expired').filter((e) => e.detail.contentId === roomId)).toHaveLength(2);

      // A second run finds nothing more to do; the room stays closed.
      expect(await expireRooms(harness.deps)).toMatchObject({ roomsEnded: 0, disconnected: 0 });
      const late = await harness.requestToken('carol', roomId);
      expect(late.status).toBe(409);
      expect(late.body.error).toBe('room-ended');
      const lateJoin = callbacks.connectionId();
      const lateCreated = await harness.callback(
        callbacks.connectionCreated(alice.sessionId, lateJoin, alice.data, harness.clock),
      );
      expect(lateCreated.body.status).toBe('disconnected-room-ended');
    });

    it('retries a disconnect that failed at Vonage on the next scheduled run', async () => {
      const roomId = await lesson();
      const alice = await harness.join('alice', roomId);
      await harness.connectionCreated(alice);
      harness.vonage.failWith = 500;
      const stranger = callbacks.connectionId();
      const response = await harness.callback(
        callbacks.connectionCreated(alice.sessionId, stranger, undefined, harness.clock),
      );
      // Vonage never sees a failure from us for a valid event.
      expect(response.status).toBe(200);
      harness.vonage.failWith = null;
      harness.vonage.calls.length = 0;
      const report = await expireRooms(harness.deps);
      expect(report.retried).toBeGreaterThanOrEqual(1);
      expect(harness.vonage.disconnected()).toContain(stranger);
    });
  });

  describe('Momento outage', () => {
    it('answers 503 so Vonage retries, and the retry is processed once Momento is back', async () => {
      const roomId = await lesson();
      const alice = await harness.join('alice', roomId);
      const created = callbacks.connectionCreated(alice.sessionId, alice.connectionId, alice.data, harness.clock);
      harness.emulator.faults.failShare('*', 1);
      try {
        const during = await harness.callback(created);
        expect(during.status).toBe(503);
        const token = await harness.requestToken('bob', roomId);
        expect(token.status).toBe(503);
        expect(token.body.error).toBe('momento-unavailable');
      } finally {
        harness.emulator.faults.clear();
      }
      expect((await harness.callback(created)).body.status).toBe('seated');
      expect(await harness.seatedConnections(roomId)).toEqual([alice.connectionId]);
    });
  });

  describe('restarts', () => {
    it('loses nothing when the handler restarts: state is in Momento, not in the process', async () => {
      const roomId = await lesson();
      const alice = await harness.join('alice', roomId);
      const bob = await harness.join('bob', roomId);
      await harness.connectionCreated(alice);

      harness.deps = harness.coldStart();
      await harness.connectionCreated(bob);
      expect((await harness.connectionCreated(alice)).body.status).toBe('duplicate');
      expect((await harness.requestToken('carol', roomId)).status).toBe(409);

      harness.deps = harness.coldStart();
      expect(await harness.seatedConnections(roomId)).toEqual([alice.connectionId, bob.connectionId].sort());
      expect((await harness.connectionDestroyed(bob)).body.status).toBe('released');
      expect((await harness.requestToken('carol', roomId)).status).toBe(200);
      expect(harness.emulator.store.hasCache(CACHE_NAME)).toBe(true);
    });
  });

  describe('per-account limit', () => {
    it('refuses a token when the user already holds as many rooms as allowed', async () => {
      harness.deps = harness.coldStart({ VONAGE_ACCOUNT_LIMIT: '1' });
      try {
        const roomId = await lesson();
        const alice = await harness.join('alice', roomId);
        await harness.connectionCreated(alice);
        const second = await harness.requestToken('alice', 'open-room-1');
        expect(second.status).toBe(409);
        expect(second.body.error).toBe('account-limit');
        await harness.connectionDestroyed(alice);
        expect((await harness.requestToken('alice', 'open-room-1')).status).toBe(200);
      } finally {
        harness.deps = harness.coldStart();
      }
    });
  });
});
