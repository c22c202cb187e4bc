import { handleEntitlementRequest } from '../../../lambda/entitlement/handle-entitlement-request';
import { MomentoCallError } from '../../../lambda/core/ports/momento-ports';
import { handleTokenRequest } from '../../../lambda/token-vending/handle-token-request';
import { apiEvent, bodyOf, handlerFixture } from '../support/handler-fixtures';

const claims = { sub: 'acc-1' };

describe('entitlement routes', () => {
  it('GET lists the account’s sessions with the exact count and whether another is allowed', async () => {
    const { deps } = handlerFixture();
    const admitted = bodyOf(
      await handleTokenRequest(
        apiEvent({
          method: 'POST',
          path: '/tokens',
          body: { deviceId: 'tv', contentId: 'film', kind: 'video' },
          claims,
        }),
        deps,
      ),
    );
    const result = await handleEntitlementRequest(
      apiEvent({ method: 'GET', path: '/accounts/acc-1/sessions', pathParameters: { accountId: 'acc-1' }, claims }),
      deps,
    );
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toEqual({
      accountId: 'acc-1',
      limit: 2,
      active: 1,
      allowed: true,
      sessions: [
        {
          sessionId: admitted.sessionId,
          deviceId: 'tv',
          contentId: 'film',
          kind: 'video',
          startedAt: expect.any(String),
        },
      ],
    });
  });

  it('routes by path when API Gateway gives no path parameters (local server)', async () => {
    const { deps } = handlerFixture();
    const result = await handleEntitlementRequest(
      apiEvent({ method: 'GET', path: '/accounts/acc-1/sessions', claims }),
      deps,
    );
    expect(bodyOf(result)).toMatchObject({ accountId: 'acc-1', active: 0, allowed: true });
  });

  it('answers 403 when the path names another account than the claim', async () => {
    const { deps } = handlerFixture();
    const result = await handleEntitlementRequest(
      apiEvent({ method: 'GET', path: '/accounts/acc-2/sessions', claims }),
      deps,
    );
    expect(result.statusCode).toBe(403);
    expect(bodyOf(result)).toEqual({ error: 'forbidden', message: expect.any(String) });
  });

  it('DELETE ends the session, tells the device and frees the place; 404 after', async () => {
    const { deps, topics } = handlerFixture({ DEFAULT_LIMIT: '1' });
    const admitted = bodyOf(
      await handleTokenRequest(apiEvent({ method: 'POST', path: '/tokens', body: { deviceId: 'tv' }, claims }), deps),
    );
    const path = `/accounts/acc-1/sessions/${String(admitted.sessionId)}`;
    const ended = await handleEntitlementRequest(apiEvent({ method: 'DELETE', path, claims }), deps);
    expect(ended.statusCode).toBe(200);
    expect(bodyOf(ended)).toEqual({ accountId: 'acc-1', sessionId: admitted.sessionId, ended: true });
    expect(topics.controlMessages('control-acc-1')).toEqual([
      { v: 1, type: 'evicted', sessionId: admitted.sessionId, reason: 'ended-by-account' },
    ]);
    expect((await handleEntitlementRequest(apiEvent({ method: 'DELETE', path, claims }), deps)).statusCode).toBe(404);
    expect(
      (
        await handleTokenRequest(
          apiEvent({ method: 'POST', path: '/tokens', body: { deviceId: 'phone' }, claims }),
          deps,
        )
      ).statusCode,
    ).toBe(201);
  });

  describe('the session check (GET /accounts/{accountId}/sessions/{sessionId})', () => {
    it('answers 200 with the session while it is counted, 404 session-not-found once it ended or never existed', async () => {
      const { deps } = handlerFixture();
      const admitted = bodyOf(
        await handleTokenRequest(
          apiEvent({ method: 'POST', path: '/tokens', body: { deviceId: 'tv', contentId: 'film' }, claims }),
          deps,
        ),
      );
      const path = `/accounts/acc-1/sessions/${String(admitted.sessionId)}`;
      const pathParameters = { accountId: 'acc-1', sessionId: String(admitted.sessionId) };
      const counted = await handleEntitlementRequest(apiEvent({ method: 'GET', path, pathParameters, claims }), deps);
      expect(counted.statusCode).toBe(200);
      expect(bodyOf(counted)).toEqual({
        sessionId: admitted.sessionId,
        deviceId: 'tv',
        contentId: 'film',
        startedAt: expect.any(String),
        lastHeartbeatAt: expect.any(String),
        expiresAt: expect.any(String),
      });
      expect((await handleEntitlementRequest(apiEvent({ method: 'DELETE', path, claims }), deps)).statusCode).toBe(200);
      const ended = await handleEntitlementRequest(apiEvent({ method: 'GET', path, pathParameters, claims }), deps);
      expect(ended.statusCode).toBe(404);
      expect(bodyOf(ended)).toEqual({ error: 'session-not-found', message: expect.any(String) });
      const never = await handleEntitlementRequest(
        apiEvent({ method: 'GET', path: '/accounts/acc-1/sessions/never-issued', claims }),
        deps,
      );
      expect(never.statusCode).toBe(404);
    });

    it('answers 403 to a claim asking about another account’s session, and 404 when the path names the other account under IAM', async () => {
      const { deps } = handlerFixture();
      const admitted = bodyOf(
        await handleTokenRequest(apiEvent({ method: 'POST', path: '/tokens', body: { deviceId: 'tv' }, claims }), deps),
      );
      const asMallory = await handleEntitlementRequest(
        apiEvent({
          method: 'GET',
          path: `/accounts/acc-1/sessions/${String(admitted.sessionId)}`,
          claims: { sub: 'mallory' },
        }),
        deps,
      );
      expect(asMallory.statusCode).toBe(403);
      const iam = handlerFixture({ ACCOUNT_SOURCE: 'iam' });
      const own = bodyOf(
        await handleTokenRequest(
          apiEvent({ method: 'POST', path: '/tokens', body: { accountId: 'acc-1', deviceId: 'tv' } }),
          iam.deps,
        ),
      );
      const wrongPath = await handleEntitlementRequest(
        apiEvent({ method: 'GET', path: `/accounts/acc-2/sessions/${String(own.sessionId)}` }),
        iam.deps,
      );
      expect(wrongPath.statusCode).toBe(404);
      expect(
        (
          await handleEntitlementRequest(
            apiEvent({ method: 'GET', path: `/accounts/acc-1/sessions/${String(own.sessionId)}` }),
            iam.deps,
          )
        ).statusCode,
      ).toBe(200);
    });

    it('answers 503 when Momento is unavailable, even under FAILURE_MODE=open', async () => {
      const { deps, cache } = handlerFixture({ FAILURE_MODE: 'open' });
      cache.failWith = new MomentoCallError('unavailable', 'connection refused');
      const result = await handleEntitlementRequest(
        apiEvent({ method: 'GET', path: '/accounts/acc-1/sessions/s-1', claims }),
        deps,
      );
      expect(result.statusCode).toBe(503);
    });
  });

  it.each([
    ['an unknown route', 'GET', '/accounts', 404, {}],
    ['a bad session id on the check', 'GET', '/accounts/acc-1/sessions/has%20space', 400, {}],
    ['PUT on a session', 'PUT', '/accounts/acc-1/sessions/s-1', 405, {}],
    ['a bad session id', 'DELETE', '/accounts/acc-1/sessions/has%20space', 400, {}],
    ['a bad content id', 'GET', '/accounts/acc-1/sessions', 400, { contentId: 'x'.repeat(300) }],
    ['POST on the sessions', 'POST', '/accounts/acc-1/sessions', 405, {}],
  ])(
    'answers 4xx for %s',
    async (_name: string, method: string, path: string, status: number, query: Record<string, string>) => {
      const { deps } = handlerFixture();
      const result = await handleEntitlementRequest(apiEvent({ method, path, claims, query }), deps);
      expect(result.statusCode).toBe(status);
      expect(bodyOf(result)).toEqual({ error: expect.any(String), message: expect.any(String) });
    },
  );

  it('takes the account from the path under IAM', async () => {
    const { deps } = handlerFixture({ ACCOUNT_SOURCE: 'iam' });
    const result = await handleEntitlementRequest(apiEvent({ method: 'GET', path: '/accounts/acc-5/sessions' }), deps);
    expect(bodyOf(result)).toMatchObject({ accountId: 'acc-5' });
  });
});
