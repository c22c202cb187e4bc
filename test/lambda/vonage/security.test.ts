import { createHandlerDependencies } from '../../../lambda/core/runtime/handler-dependencies';
import type { DeviceTokenGrant, MintedToken } from '../../../lambda/core/ports/momento-ports';
import { handleTokenRequest } from '../../../lambda/token-vending/handle-token-request';
import { vonageKeys } from '../../../lambda/vonage/vonage-keys';
import { testConfig } from '../core/support/engine-config';
import { RecordingTopics } from '../core/support/recording-topics';
import { apiEvent } from '../support/handler-fixtures';
import { callbacks, useVonageHarness } from './vonage-harness';

/**
 * Attacks on the Vonage path (issue 11, items 3, 5 and 6), each performed against the emulator
 * (Momento) and the stand-in for Vonage's REST API.
 */
describe('Vonage path under attack', () => {
  const harness = useVonageHarness();
  /** A fresh one-to-one lesson with tickets for alice (teacher) and bob (student). */
  const lesson = () => harness.ticketedRoom('lesson-sec', { alice: 'teacher', bob: 'student' });

  describe('one token, one seat (item 3)', () => {
    it('refuses and disconnects a second connection carrying the same token data, and keeps the other seat for the teacher', async () => {
      const roomId = await lesson();
      const bob = await harness.join('bob', roomId);
      const first = await harness.connectionCreated(bob);
      expect(first.body.status).toBe('seated');

      // Bob's one token used by a second device while the room still has a free seat.
      const second = callbacks.connectionId();
      const reused = await harness.callback(
        callbacks.connectionCreated(bob.sessionId, second, bob.data, harness.clock),
      );
      expect(reused.status).toBe(200);
      expect(reused.body.status).toBe('disconnected-token-reused');
      expect(harness.vonage.disconnected()).toEqual([second]);
      expect(await harness.seatedConnections(roomId)).toEqual([bob.connectionId]);

      // The teacher still gets the room's other seat.
      const alice = await harness.join('alice', roomId);
      expect((await harness.connectionCreated(alice)).body.status).toBe('seated');
      expect(await harness.seatedConnections(roomId)).toEqual([alice.connectionId, bob.connectionId].sort());
    });

    it('refuses the reuse also after the first connection left (a token is not a re-entry pass)', async () => {
      const roomId = await lesson();
      const bob = await harness.join('bob', roomId);
      await harness.connectionCreated(bob);
      await harness.connectionDestroyed(bob, harness.clock + 1000);
      const again = callbacks.connectionId();
      expect(
        (await harness.callback(callbacks.connectionCreated(bob.sessionId, again, bob.data, harness.clock + 2000))).body
          .status,
      ).toBe('disconnected-token-reused');
      expect(await harness.seatedConnections(roomId)).toEqual([]);
    });
  });

  describe('callback replay (item 5)', () => {
    /** Bob's connectionCreated in a fresh lesson, as the body Vonage posts. */
    async function bobsConnectionCreated() {
      const roomId = await lesson();
      const bob = await harness.join('bob', roomId);
      const body = JSON.stringify(
        callbacks.connectionCreated(bob.sessionId, bob.connectionId, bob.data, harness.clock),
      );
      return { roomId, bob, body };
    }
    /** Bob is seated by a signed request an attacker captured; then he leaves. */
    async function capturedThenLeft() {
      const { roomId, bob, body } = await bobsConnectionCreated();
      const captured = `Bearer ${await harness.sign(body)}`;
      expect((await harness.send(body, captured)).body.status).toBe('seated');
      await harness.connectionDestroyed(bob, harness.clock + 1000);
      return { roomId, bob, body, captured };
    }

    it('does not seat a connectionCreated replayed after its tombstone expired', async () => {
      const { roomId, bob, body, captured } = await capturedThenLeft();
      expect(await harness.seatedConnections(roomId)).toEqual([]);

      // A day later the tombstone is gone (its 24 h TTL; removed here since the emulator keeps real time).
      harness.clock += 25 * 60 * 60 * 1000;
      await harness.deps.cache.delete(vonageKeys.connectionGone(bob.connectionId));
      const replayed = await harness.send(body, captured);
      expect(replayed.status).toBe(401);
      expect(await harness.seatedConnections(roomId)).toEqual([]);
    });

    it('acts once on a signed request sent twice within its maximum age (the jti is remembered)', async () => {
      const { bob, body, captured } = await capturedThenLeft();
      harness.clock += 60 * 1000;
      const calls = harness.vonage.calls.length;
      const replayed = await harness.send(body, captured);
      expect(replayed).toEqual({ status: 200, body: { status: 'replayed' } });
      expect(harness.vonage.calls.length).toBe(calls);
      // The same jti over another body is refused too (the signature already binds the body).
      const jti = 'jti-used-once';
      const first = JSON.stringify({ sessionId: bob.sessionId, event: 'sessionCreated', timestamp: harness.clock });
      expect((await harness.send(first, `Bearer ${await harness.sign(first, { jti })}`)).status).toBe(200);
      expect((await harness.send(first, `Bearer ${await harness.sign(first, { jti })}`)).body).toEqual({
        status: 'replayed',
      });
    });

    it.each([
      [
        '400 days old',
        (body: string, now: number) => harness.sign(body, { iat: Math.floor(now / 1000) - 400 * 86400 }),
      ],
      [
        'signed for another application',
        (body: string) => harness.sign(body, { applicationId: 'another-application' }),
      ],
      ['without application_id', (body: string) => harness.sign(body, { applicationId: null })],
      ['without payload_hash (any body would pass)', (body: string) => harness.sign(body, { payloadHash: null })],
      ['without iat', (body: string) => harness.sign(body, { iat: null })],
      ['without jti', (body: string) => harness.sign(body, { jti: null })],
    ])('answers 401 to a callback %s and seats nothing', async (_name, sign) => {
      const { roomId, body } = await bobsConnectionCreated();
      const response = await harness.send(body, `Bearer ${await sign(body, harness.clock)}`);
      expect(response.status).toBe(401);
      expect(await harness.seatedConnections(roomId)).toEqual([]);
    });
  });

  describe('ticket keys (item 13)', () => {
    it('a ticket for carol in room "<room>:b" is not a ticket for user "b:carol" in room "<room>"', async () => {
      const roomId = harness.newRoomId('lesson-sec');
      await harness.deps.cache.set(vonageKeys.ticket(`${roomId}:b`, 'carol'), 'teacher', 3600);
      const response = await harness.requestToken('b:carol', roomId);
      expect(response.status).toBe(409);
      expect(response.body.error).toBe('not-a-ticket-holder');
      // The ticket still works for whom it was written.
      expect((await harness.requestToken('carol', `${roomId}:b`)).status).toBe(200);
    });
  });

  describe('streaming ids cannot reach Vonage seats (item 6)', () => {
    /** The streaming `POST /tokens` route, content scope, over the same Momento cache as the Vonage path. */
    function streamingRoute() {
      let minted = 0;
      const deps = createHandlerDependencies(
        testConfig({ LIMIT_SCOPE: 'content', DEFAULT_LIMIT: '2' }),
        {
          cache: harness.deps.cache,
          topics: new RecordingTopics(),
          tokens: {
            mintDeviceToken: async (grant: DeviceTokenGrant): Promise<MintedToken> => ({
              token: `t-${++minted}-${grant.accountId}`,
              expiresAt: Date.now() + 600_000,
            }),
          },
        },
        { now: () => harness.clock },
      );
      return (accountId: string, body: unknown) =>
        handleTokenRequest(apiEvent({ method: 'POST', path: '/tokens', body, claims: { sub: accountId } }), deps);
    }

    it('a streaming contentId "vonage:<room>" does not fill the Vonage room', async () => {
      const roomId = await lesson();
      const post = streamingRoute();
      expect((await post('mallory', { deviceId: 'tv', contentId: `vonage:${roomId}` })).statusCode).toBe(201);
      expect((await post('eve', { deviceId: 'tv', contentId: `vonage:${roomId}` })).statusCode).toBe(201);
      const alice = await harness.join('alice', roomId);
      const bob = await harness.join('bob', roomId);
      expect((await harness.connectionCreated(alice)).body.status).toBe('seated');
      expect((await harness.connectionCreated(bob)).body.status).toBe('seated');
    });

    it('a streaming deviceId "rsv.<user>" does not take over that user\'s reserved seat', async () => {
      const roomId = await lesson();
      const alice = await harness.join('alice', roomId);
      const bob = await harness.join('bob', roomId);
      const post = streamingRoute();
      await post('mallory', { deviceId: 'rsv.alice', contentId: `vonage:${roomId}` });
      await post('mallory', { deviceId: 'rsv.alice', contentId: roomId });
      expect((await harness.connectionCreated(alice)).body.status).toBe('seated');
      expect((await harness.connectionCreated(bob)).body.status).toBe('seated');
      expect(harness.vonage.disconnected()).toEqual([]);
    });
  });
});
