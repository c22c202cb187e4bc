import { DeviceSession, type DeviceSessionEvents } from '../../client/device-session';
import type { TokenAnswer, TokenRequestBody } from '../../client/token-request';
import { TopicTransportError } from '../../client/topic-transport';
import { FakeTopicTransport, tokenGrant } from './fake-topic-transport';
import { useFakeClock } from './support/fake-clock';
import { sessionOnFakes } from './support/session-on-fakes';

// A session with a maximum duration (MAX_SESSION_SECONDS): the grant says when the session ends
// (`sessionEndsAt`) and the client ends it then, `expired` with `max-duration`, instead of trying to
// refresh a token the backend will not let outlive it and ending `token-expired` a moment before.

const TOKEN_TTL_SECONDS = 6;
const INTERVAL_SECONDS = 1;
/** The session ends 10.4 s after the first request (the backend's clock starts its session then). */
const SESSION_MS = 10_400;

/**
 * `POST /tokens` as token vending answers it under MAX_SESSION_SECONDS
 * (lambda/core/engine/token-vending.ts): a token for `min(TOKEN_TTL_SECONDS, what remains of the
 * session)` in whole seconds (at least one), so the last one expires up to a second before the
 * session's end; a refresh once the session has ended is refused (403 `admission-denied`).
 */
function sessionEndingBackend() {
  const bodies: TokenRequestBody[] = [];
  /** Answers given before the backend's own (a failure to inject). */
  const before: TokenAnswer[] = [];
  let endsAt: number | undefined;
  const requestToken = jest.fn(async (body: TokenRequestBody): Promise<TokenAnswer> => {
    bodies.push(body);
    const injected = before.shift();
    if (injected) return injected;
    const now = Date.now();
    endsAt ??= now + SESSION_MS;
    if (now >= endsAt) {
      return { status: 403, body: { error: 'admission-denied', message: 'the session reached its maximum duration' } };
    }
    const ttlSeconds = Math.max(1, Math.min(TOKEN_TTL_SECONDS, Math.floor((endsAt - now) / 1000)));
    return {
      status: 201,
      body: {
        ...tokenGrant({ heartbeatIntervalSeconds: INTERVAL_SECONDS, leaseSeconds: 3, lifetimeSeconds: ttlSeconds }),
        sessionEndsAt: new Date(endsAt).toISOString(),
      },
    };
  });
  return { requestToken, bodies, before, endsAt: () => endsAt! };
}

function newSession(backend: ReturnType<typeof sessionEndingBackend>, transport: FakeTopicTransport) {
  const { session } = sessionOnFakes(backend, transport, { deviceId: 'tv-1' });
  const expired: Array<DeviceSessionEvents['expired']> = [];
  const errors: string[] = [];
  session.on('expired', (payload) => expired.push(payload));
  session.on('error', (error) => errors.push(error.code));
  return { session, expired, errors };
}

useFakeClock('2026-11-30T12:00:00.000Z');

describe('DeviceSession with a maximum session duration', () => {
  it('ends expired with max-duration at the grant’s sessionEndsAt, not token-expired before it', async () => {
    const backend = sessionEndingBackend();
    const transport = new FakeTopicTransport();
    const { session, expired, errors } = newSession(backend, transport);
    const startedAt = Date.now();
    await session.start();
    expect(session.grant?.sessionEndsAt).toBe(new Date(backend.endsAt()).toISOString());

    // The first token (6 s) is refreshed at 4 s; the second is cut at the session's end (10 s of 10.4 s).
    await jest.advanceTimersByTimeAsync(SESSION_MS - 1);
    expect(Date.parse(session.grant!.expiresAt)).toBe(startedAt + 10_000);
    expect(session.state).toBe('active');
    expect(expired).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);

    expect(session.state).toBe('expired');
    expect(expired).toEqual([{ reason: 'max-duration' }]);
    expect(errors).toEqual([]);
    // No refresh of the last token: no later one could be had.
    expect(backend.bodies.map((body) => body.sessionId)).toEqual([undefined, 'session-1']);
    expect(transport.lastSubscription.closed).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
    // The session is over at the backend too: no stop is published for it, and nothing more is sent.
    expect(transport.messages('stop')).toHaveLength(0);
    const published = transport.published.length;
    await jest.advanceTimersByTimeAsync(60_000);
    expect(transport.published).toHaveLength(published);
    expect(expired).toHaveLength(1);
  });

  it('asks for no new token when the last one is rejected in the session’s final second', async () => {
    const backend = sessionEndingBackend();
    const transport = new FakeTopicTransport();
    const { session, expired, errors } = newSession(backend, transport);
    const startedAt = Date.now();
    await session.start();
    await jest.advanceTimersByTimeAsync(9_999);

    // The heartbeat at 10 s meets the last token's expiry.
    transport.nextPublishOutcomes.push(new TopicTransportError('unauthenticated', 'token expired'));
    await jest.advanceTimersByTimeAsync(1);
    expect(transport.published[transport.published.length - 1]?.address.token).toBe(session.grant?.token);
    transport.lastSubscription.fail(new TopicTransportError('unauthenticated', 'token expired'));
    await jest.advanceTimersByTimeAsync(SESSION_MS - 10_000 - 1);
    expect(session.state).toBe('active');
    expect(backend.requestToken).toHaveBeenCalledTimes(2);

    await jest.advanceTimersByTimeAsync(1);
    expect(Date.now() - startedAt).toBe(SESSION_MS);
    expect(session.state).toBe('expired');
    expect(expired).toEqual([{ reason: 'max-duration' }]);
    expect(errors).toEqual([]);
    expect(backend.requestToken).toHaveBeenCalledTimes(2);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('still refreshes a last token rejected before it ran out, retrying a failure, and ends at max-duration', async () => {
    const backend = sessionEndingBackend();
    const transport = new FakeTopicTransport();
    const { session, expired, errors } = newSession(backend, transport);
    const failures: Array<number | undefined> = [];
    session.on('refresh-failed', ({ retryInMs }) => failures.push(retryInMs));
    await session.start();
    await jest.advanceTimersByTimeAsync(5_999);
    const last = session.grant!;
    expect(Date.parse(last.expiresAt)).toBe(Date.parse(last.sessionEndsAt!) - 400); // the last token

    // Rejected (revoked, say) with 4 s of life left: worth a refresh, retried once it fails.
    backend.before.push({ status: 503, body: { error: 'momento-unavailable', message: 'down' } });
    transport.nextPublishOutcomes.push(new TopicTransportError('unauthenticated', 'token rejected'));
    await jest.advanceTimersByTimeAsync(1);
    expect(failures).toEqual([expect.any(Number)]);
    await jest.advanceTimersByTimeAsync(failures[0]!);
    expect(backend.requestToken).toHaveBeenCalledTimes(4);
    expect(session.grant!.token).not.toBe(last.token);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(transport.messages('heartbeat').at(-1)?.address.token).toBe(session.grant!.token);

    await jest.advanceTimersByTimeAsync(backend.endsAt() - Date.now() - 1);
    expect(session.state).toBe('active');
    await jest.advanceTimersByTimeAsync(1);
    expect(session.state).toBe('expired');
    expect(expired).toEqual([{ reason: 'max-duration' }]);
    expect(errors).toEqual([]);
    expect(backend.requestToken).toHaveBeenCalledTimes(4);
  });

  it('takes the backend’s max-duration message when it comes first, and expires once', async () => {
    const backend = sessionEndingBackend();
    const transport = new FakeTopicTransport();
    const { session, expired } = newSession(backend, transport);
    await session.start();
    // This device's clock is behind the backend's: its message comes before the device's own end.
    await jest.advanceTimersByTimeAsync(SESSION_MS - 300);
    const message = { v: 1, type: 'expired', sessionId: 'session-1', reason: 'max-duration' };
    transport.lastSubscription.deliver(message);

    expect(session.state).toBe('expired');
    expect(expired).toEqual([{ reason: 'max-duration', message }]);
    expect(jest.getTimerCount()).toBe(0);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(expired).toHaveLength(1);
  });

  it('expires once when the backend’s message comes after the device ended the session itself', async () => {
    const backend = sessionEndingBackend();
    const transport = new FakeTopicTransport();
    const { session, expired } = newSession(backend, transport);
    await session.start();
    const control = transport.lastSubscription;
    await jest.advanceTimersByTimeAsync(SESSION_MS);
    expect(expired).toEqual([{ reason: 'max-duration' }]);

    control.deliver({ v: 1, type: 'expired', sessionId: 'session-1', reason: 'max-duration' });
    await jest.advanceTimersByTimeAsync(60_000);
    expect(expired).toEqual([{ reason: 'max-duration' }]);
    expect(session.state).toBe('expired');
  });

  it('refuses a grant whose sessionEndsAt is not a time', async () => {
    const transport = new FakeTopicTransport();
    const session = new DeviceSession({
      deviceId: 'tv-1',
      requestToken: async () => ({ status: 201, body: { ...tokenGrant(), sessionEndsAt: 'at ten' } }),
      transport,
      pageLifecycle: false,
    });
    const result = await session.start();
    expect(result.state).toBe('error');
    expect(session.error?.code).toBe('invalid-token-answer');
    expect(session.error?.message).toContain('sessionEndsAt');
    expect(transport.subscriptions).toHaveLength(0);
  });
});
