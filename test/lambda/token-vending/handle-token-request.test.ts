import { createHandlerDependencies } from '../../../lambda/core/runtime/handler-dependencies';
import { MomentoCallError } from '../../../lambda/core/ports/momento-ports';
import { RecordingTopics } from '../core/support/recording-topics';
import { handleTokenRequest } from '../../../lambda/token-vending/handle-token-request';
import { apiEvent, bodyOf, handlerFixture } from '../support/handler-fixtures';

const post = (body: unknown, claims: Record<string, string> | null = { sub: 'acc-1' }) =>
  apiEvent({ method: 'POST', path: '/tokens', body, claims: claims ?? undefined });

describe('POST /tokens', () => {
  it('answers 201 with when the session ends under a maximum duration', async () => {
    const { deps, clock } = handlerFixture({ MAX_SESSION_SECONDS: '120' });
    const result = await handleTokenRequest(post({ deviceId: 'tv' }), deps);
    expect(result.statusCode).toBe(201);
    expect(bodyOf(result).sessionEndsAt).toBe(new Date(clock.now() + 120_000).toISOString());
  });

  it('answers 201 with the token and the session for the claim’s account', async () => {
    const { deps } = handlerFixture();
    const result = await handleTokenRequest(post({ deviceId: 'tv', accountId: 'someone-else' }), deps);
    expect(result.statusCode).toBe(201);
    expect(result.headers?.['content-type']).toBe('application/json');
    expect(bodyOf(result)).toMatchObject({
      token: 'token-1-acc-1',
      controlTopic: 'control-acc-1',
      heartbeatTopic: 'heartbeat',
      cacheName: 'tracker',
      limit: 2,
      active: 1,
      sessionId: expect.any(String),
    });
  });

  it('answers 409 with the active sessions at the limit', async () => {
    const { deps } = handlerFixture({ DEFAULT_LIMIT: '1' });
    await handleTokenRequest(post({ deviceId: 'tv' }), deps);
    const result = await handleTokenRequest(post({ deviceId: 'phone' }), deps);
    expect(result.statusCode).toBe(409);
    expect(bodyOf(result)).toMatchObject({
      error: 'limit-reached',
      message: expect.stringContaining('Stop one'),
      limit: 1,
      active: 1,
      sessions: [{ deviceId: 'tv' }],
    });
  });

  it.each([
    ['invalid JSON', '{', 400, 'invalid-json'],
    ['a missing device id', {}, 400, 'invalid-request'],
    ['a device id too long', { deviceId: 'x'.repeat(200) }, 400, 'invalid-request'],
    ['a body that is an array', [], 400, 'invalid-request'],
    ['an unknown field such as a limit', { deviceId: 'tv', limit: 1000 }, 400, 'invalid-request'],
    ['a __proto__ key', '{"__proto__":{"limit":1000},"deviceId":"tv"}', 400, 'invalid-request'],
  ])('answers 4xx, never 5xx, for %s', async (_name, body, status, error) => {
    const { deps } = handlerFixture();
    const result = await handleTokenRequest(post(body), deps);
    expect(result.statusCode).toBe(status);
    expect(bodyOf(result)).toEqual({ error, message: expect.any(String) });
  });

  it('answers 401 without the claim and 405 for other methods', async () => {
    const { deps } = handlerFixture();
    expect((await handleTokenRequest(post({ deviceId: 'tv' }, null), deps)).statusCode).toBe(401);
    expect((await handleTokenRequest(apiEvent({ method: 'GET', path: '/tokens' }), deps)).statusCode).toBe(405);
  });

  it('reads the account from a Lambda authoriser’s context under a configured claim', async () => {
    const { deps } = handlerFixture({ ACCOUNT_CLAIM: 'accountId' });
    const event = post({ deviceId: 'tv' }, null);
    (event.requestContext as unknown as { authorizer: Record<string, string> }).authorizer = { accountId: 'acc-7' };
    const result = await handleTokenRequest(event, deps);
    expect(bodyOf(result)).toMatchObject({ controlTopic: 'control-acc-7' });
  });

  it('takes the account from the body only under IAM', async () => {
    const { deps } = handlerFixture({ ACCOUNT_SOURCE: 'iam' });
    expect((await handleTokenRequest(post({ deviceId: 'tv' }, null), deps)).statusCode).toBe(400);
    const result = await handleTokenRequest(post({ deviceId: 'tv', accountId: 'acc-9' }, null), deps);
    expect(result.statusCode).toBe(201);
    expect(bodyOf(result)).toMatchObject({ controlTopic: 'control-acc-9' });
  });

  it('answers 400 when the scope needs content and none is given', async () => {
    const { deps } = handlerFixture({ LIMIT_SCOPE: 'account-content' });
    const result = await handleTokenRequest(post({ deviceId: 'tv' }), deps);
    expect(result.statusCode).toBe(400);
    expect(bodyOf(result).message).toMatch(/contentId is required/);
  });

  it('answers 503 when Momento fails under the closed failure mode, 201 degraded under open', async () => {
    const closed = handlerFixture();
    closed.cache.failWith = new MomentoCallError('unavailable', 'refused');
    const refused = await handleTokenRequest(post({ deviceId: 'tv' }), closed.deps);
    expect(refused.statusCode).toBe(503);
    expect(bodyOf(refused)).toEqual({ error: 'momento-unavailable', message: expect.any(String) });
    const open = handlerFixture({ FAILURE_MODE: 'open', MAX_SESSION_SECONDS: '120' });
    open.cache.failWith = new MomentoCallError('unavailable', 'refused');
    const allowed = await handleTokenRequest(post({ deviceId: 'tv' }), open.deps);
    expect(allowed.statusCode).toBe(201);
    expect(bodyOf(allowed)).toMatchObject({ degraded: true, token: '', active: 0 });
    // A degraded answer keeps no session, so it names no end for one.
    expect(bodyOf(allowed).sessionEndsAt).toBeUndefined();
  });

  it('answers 503 when the admission hook fails', async () => {
    const { deps } = handlerFixture();
    const failing = createHandlerDependencies(
      deps.config,
      { cache: deps.cache, topics: new RecordingTopics(), tokens: deps.tokens },
      {
        hook: {
          decide: async () => {
            throw new Error('throttled');
          },
        },
      },
    );
    const result = await handleTokenRequest(post({ deviceId: 'tv' }), failing);
    expect(result.statusCode).toBe(503);
    expect(bodyOf(result)).toEqual({ error: 'admission-hook-failed', message: expect.any(String) });
  });

  it('answers 500 misconfigured without an auth key', async () => {
    const { deps } = handlerFixture({}, false);
    expect(bodyOf(await handleTokenRequest(post({ deviceId: 'tv' }), deps))).toMatchObject({ error: 'misconfigured' });
  });
});
