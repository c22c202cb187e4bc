import { DeviceSession, type DeviceSessionOptions } from '../../client/device-session';
import type { TokenAnswer } from '../../client/token-request';
import { TopicTransportError } from '../../client/topic-transport';
import { FakeTopicTransport, tokenGrant } from './fake-topic-transport';
import { granted, refused, tokenBackend, type Answer } from './fake-token-backend';
import { useFakeClock } from './support/fake-clock';
import { sessionOnFakes } from './support/session-on-fakes';

/** The session these tests watch: phone-1 playing title-42. */
const newSession = (
  backend: ReturnType<typeof tokenBackend>,
  transport: FakeTopicTransport,
  extra: Partial<DeviceSessionOptions> = {},
) => sessionOnFakes(backend, transport, { contentId: 'title-42', ...extra });

/** The stop message of the first session these tests start. */
const STOP_OF_SESSION_1 = {
  v: 1,
  type: 'stop',
  sessionId: 'session-1',
  deviceId: 'phone-1',
  sessionKey: 'key-of-session-1',
  contentId: 'title-42',
};

/** Moves the clock on by `ms` and counts the heartbeats published so far. */
async function heartbeatsAfter(transport: FakeTopicTransport, ms: number): Promise<number> {
  await jest.advanceTimersByTimeAsync(ms);
  return transport.messages('heartbeat').length;
}

/** A session on the fakes, answered `answers` in turn by the backend. */
function sessionAnswered(...answers: Answer[]) {
  const backend = tokenBackend(...answers);
  const transport = new FakeTopicTransport();
  return { backend, transport, ...newSession(backend, transport) };
}

/** The same, after `start()`. */
async function startedSession(...answers: Answer[]) {
  const started = sessionAnswered(...answers);
  await started.session.start();
  return started;
}

useFakeClock('2026-11-25T12:00:00.000Z');

describe('DeviceSession start', () => {
  it('asks for a token, subscribes to the control topic and heartbeats at once', async () => {
    const { backend, transport, session, states } = sessionAnswered(granted());

    const result = await session.start();
    await jest.advanceTimersByTimeAsync(0);

    expect(result.state).toBe('active');
    expect(states).toEqual(['starting', 'active']);
    expect(backend.bodies).toEqual([{ deviceId: 'phone-1', contentId: 'title-42' }]);
    expect(session.sessionId).toBe('session-1');
    expect(transport.subscriptions).toHaveLength(1);
    expect(transport.lastSubscription.address).toEqual({
      token: session.grant?.token,
      cacheName: 'concurrency',
      topic: 'control-acct-1',
    });
    expect(transport.published).toEqual([
      {
        address: { token: session.grant?.token, cacheName: 'concurrency', topic: 'heartbeats' },
        body: {
          v: 1,
          type: 'heartbeat',
          sessionId: 'session-1',
          deviceId: 'phone-1',
          sessionKey: 'key-of-session-1',
          contentId: 'title-42',
        },
      },
    ]);
  });

  it('accepts a fetch Response from requestToken', async () => {
    const transport = new FakeTopicTransport();
    const body = tokenGrant();
    const session = new DeviceSession({
      deviceId: 'phone-1',
      requestToken: async () => ({ status: 201, json: async () => body }),
      transport,
      pageLifecycle: false,
    });
    await expect(session.start()).resolves.toEqual({ state: 'active', grant: body });
    await session.stop();
  });

  it('reports a 409 with the active sessions and starts again once a device was stopped', async () => {
    const { transport, session, states } = sessionAnswered(refused, granted());
    const refusals: unknown[] = [];
    session.on('refused', (refusal) => refusals.push(refusal));

    const result = await session.start();

    expect(result.state).toBe('refused');
    expect(session.state).toBe('refused');
    expect(session.refusal?.sessions.map((s) => s.deviceId)).toEqual(['tv', 'tablet']);
    expect(refusals).toHaveLength(1);
    expect(transport.published).toHaveLength(0);
    expect(transport.subscriptions).toHaveLength(0);
    expect(jest.getTimerCount()).toBe(0);

    // "Stop a device to continue": the player ends one session through its backend, then retries.
    await expect(session.start()).resolves.toMatchObject({ state: 'active' });
    expect(states).toEqual(['starting', 'refused', 'starting', 'active']);
    expect(session.refusal).toBeUndefined();
    await session.stop();
  });

  it('returns the same promise while starting', async () => {
    const backend = tokenBackend(granted());
    const { session } = newSession(backend, new FakeTopicTransport());
    const first = session.start();
    expect(session.start()).toBe(first);
    await first;
    expect(backend.requestToken).toHaveBeenCalledTimes(1);
    await session.stop();
  });

  it.each([
    ['a thrown request', new Error('network down'), 'token-request-failed', true],
    [
      'a 400 with the backend error code',
      { status: 400, body: { error: 'invalid-request', message: 'deviceId: bad' } },
      'invalid-request',
      false,
    ],
    [
      'a 503',
      { status: 503, body: { error: 'momento-unavailable', message: 'try later' } },
      'momento-unavailable',
      true,
    ],
    ['a 201 outside the contract', { status: 201, body: { token: 'x' } }, 'invalid-token-answer', false],
    ['a 409 without sessions', { status: 409, body: { error: 'conflict', message: 'no' } }, 'conflict', false],
  ] as const)('moves to error on %s', async (_name, answer, code, retryable) => {
    const { transport, session } = sessionAnswered(answer as Answer);
    const errors: unknown[] = [];
    session.on('error', (error) => errors.push(error));

    const result = await session.start();

    expect(result.state).toBe('error');
    expect(session.state).toBe('error');
    expect(session.error).toMatchObject({ code, retryable });
    expect(errors).toEqual([session.error]);
    expect(transport.published).toHaveLength(0);
  });

  it('rejects bad options with a clear message', () => {
    const base = { requestToken: async () => ({ status: 201, body: {} }), transport: new FakeTopicTransport() };
    expect(() => new DeviceSession({ ...base, deviceId: '' })).toThrow(/deviceId/);
    expect(() => new DeviceSession({ ...base, deviceId: 'a b' })).toThrow(/deviceId/);
    expect(() => new DeviceSession({ ...base, deviceId: 'ok', kind: 'x'.repeat(33) })).toThrow(/kind/);
    expect(() => new DeviceSession({ ...base, deviceId: 'ok', requestToken: undefined as never })).toThrow(
      /requestToken/,
    );
    expect(() => new DeviceSession({ ...base, deviceId: 'ok', transport: {} as never })).toThrow(/transport/);
  });
});

describe('DeviceSession heartbeats', () => {
  it('heartbeats every heartbeatIntervalSeconds', async () => {
    const { transport, session } = sessionAnswered(granted({ heartbeatIntervalSeconds: 5 }));
    const beats: number[] = [];
    session.on('heartbeat', ({ at }) => beats.push(at));
    await session.start();
    const startedAt = Date.now();

    expect(await heartbeatsAfter(transport, 4_999)).toBe(1);
    expect(await heartbeatsAfter(transport, 1)).toBe(2);
    expect(await heartbeatsAfter(transport, 20_000)).toBe(6);
    expect(beats.map((at) => at - startedAt)).toEqual([0, 5_000, 10_000, 15_000, 20_000, 25_000]);
    await session.stop();
  });

  it('retries a transient failure with exponential backoff, then returns to the interval', async () => {
    const backend = tokenBackend(granted({ heartbeatIntervalSeconds: 10 }));
    const transport = new FakeTopicTransport();
    const { session } = newSession(backend, transport, { retry: { initialMs: 1_000 } });
    const failures: Array<{ attempt: number; retryInMs: number }> = [];
    session.on('heartbeat-failed', ({ attempt, retryInMs }) => failures.push({ attempt, retryInMs }));
    const transient = () => new TopicTransportError('transient', 'unavailable');
    transport.nextPublishOutcomes.push(transient(), transient(), transient());

    await session.start();
    // random() = 0 gives half of each step: 1 s, 2 s, 4 s steps -> 500, 1000, 2000 ms.
    expect(await heartbeatsAfter(transport, 499)).toBe(1);
    expect(await heartbeatsAfter(transport, 1)).toBe(2);
    expect(await heartbeatsAfter(transport, 1_000)).toBe(3);
    expect(await heartbeatsAfter(transport, 2_000)).toBe(4); // this one succeeds
    expect(failures).toEqual([
      { attempt: 1, retryInMs: 500 },
      { attempt: 2, retryInMs: 1_000 },
      { attempt: 3, retryInMs: 2_000 },
    ]);
    expect(session.state).toBe('active');

    expect(await heartbeatsAfter(transport, 9_999)).toBe(4);
    expect(await heartbeatsAfter(transport, 1)).toBe(5);
    await session.stop();
  });

  it('caps the backoff at one heartbeat interval', async () => {
    const backend = tokenBackend(granted({ heartbeatIntervalSeconds: 2, lifetimeSeconds: 3_600 }));
    const transport = new FakeTopicTransport();
    const { session } = newSession(backend, transport, { random: () => 1 });
    const delays: number[] = [];
    session.on('heartbeat-failed', ({ retryInMs }) => delays.push(retryInMs));
    for (let i = 0; i < 6; i += 1) transport.nextPublishOutcomes.push(new TopicTransportError('transient', 'down'));

    await session.start();
    await jest.advanceTimersByTimeAsync(20_000);

    expect(delays).toEqual([500, 1_000, 2_000, 2_000, 2_000, 2_000]);
    await session.stop();
  });

  it('refreshes the token when a heartbeat is rejected as unauthenticated, then heartbeats with the new one', async () => {
    const first = tokenGrant({ lifetimeSeconds: 600 });
    const second = tokenGrant({ lifetimeSeconds: 900 });
    const { backend, transport, session } = sessionAnswered(
      { status: 201, body: first },
      { status: 201, body: second },
    );
    transport.nextPublishOutcomes.push(new TopicTransportError('unauthenticated', 'token expired'));

    await session.start();
    await jest.advanceTimersByTimeAsync(0);

    expect(backend.bodies[1]).toEqual({
      deviceId: 'phone-1',
      contentId: 'title-42',
      sessionId: 'session-1',
      sessionKey: 'key-of-session-1',
    });
    const beats = transport.messages('heartbeat');
    expect(beats.map((beat) => beat.address.token)).toEqual([first.token, second.token]);
    expect(transport.lastSubscription.tokens).toEqual([first.token, second.token]);
    expect(session.state).toBe('active');
    await session.stop();
  });

  it('gives up when the refreshed token is rejected again', async () => {
    const { transport, session } = sessionAnswered(granted(), granted({ lifetimeSeconds: 900 }));
    transport.nextPublishOutcomes.push(
      new TopicTransportError('unauthenticated', 'no'),
      new TopicTransportError('unauthenticated', 'still no'),
    );

    await session.start();
    await jest.advanceTimersByTimeAsync(0);

    expect(session.state).toBe('error');
    expect(session.error?.code).toBe('heartbeat-failed');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('moves to error when the heartbeat topic forbids the token', async () => {
    const { transport, session } = sessionAnswered(granted());
    transport.nextPublishOutcomes.push(new TopicTransportError('forbidden', 'publish not allowed'));

    await session.start();
    await jest.advanceTimersByTimeAsync(0);

    expect(session.state).toBe('error');
    expect(session.error).toMatchObject({ code: 'heartbeat-failed', retryable: false });
    expect(session.error?.message).toMatch(/forbidden/);
    expect(transport.lastSubscription.closed).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
    await jest.advanceTimersByTimeAsync(60_000);
    // The heartbeat, then the stop sent on ending in error (best effort: it frees the slot if it gets through).
    expect(transport.published.map((entry) => entry.body.type)).toEqual(['heartbeat', 'stop']);
  });
});

describe('DeviceSession token refresh', () => {
  it('refreshes before expiresAt with its sessionId and moves heartbeats to the new token', async () => {
    // 100 s lifetime, 5 s interval: margin = max(2 x 5 s, 100 s / 5) = 20 s, so refresh at 80 s.
    const first = tokenGrant({ lifetimeSeconds: 100 });
    const { backend, transport, session } = sessionAnswered({ status: 201, body: first });
    const refreshed: string[] = [];
    session.on('token-refreshed', (grant) => refreshed.push(grant.token));
    await session.start();

    await jest.advanceTimersByTimeAsync(79_000);
    expect(backend.requestToken).toHaveBeenCalledTimes(1);
    const second = tokenGrant({ lifetimeSeconds: 100 });
    backend.queue.push({ status: 201, body: second });
    await jest.advanceTimersByTimeAsync(1_000);

    expect(backend.bodies).toEqual([
      { deviceId: 'phone-1', contentId: 'title-42' },
      { deviceId: 'phone-1', contentId: 'title-42', sessionId: 'session-1', sessionKey: 'key-of-session-1' },
    ]);
    expect(refreshed).toEqual([second.token]);
    expect(transport.lastSubscription.tokens).toEqual([first.token, second.token]);
    expect(transport.subscriptions).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(5_000);
    const beats = transport.messages('heartbeat');
    expect(beats[beats.length - 1]?.address.token).toBe(second.token);

    // The second token, too, is refreshed ahead of its expiry, not at it.
    backend.queue.push(granted({ lifetimeSeconds: 100 }));
    await jest.advanceTimersByTimeAsync(75_000);
    expect(backend.requestToken).toHaveBeenCalledTimes(3);
    expect(session.state).toBe('active');
    await session.stop();
  });

  it('honours refreshBeforeExpirySeconds', async () => {
    const backend = tokenBackend(granted({ lifetimeSeconds: 100 }));
    const { session } = newSession(backend, new FakeTopicTransport(), { refreshBeforeExpirySeconds: 50 });
    await session.start();
    backend.queue.push(granted({ lifetimeSeconds: 100 }));
    await jest.advanceTimersByTimeAsync(49_999);
    expect(backend.requestToken).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(backend.requestToken).toHaveBeenCalledTimes(2);
    await session.stop();
  });

  it('retries a failing refresh and expires when the token runs out', async () => {
    const { backend, transport, session } = sessionAnswered(granted({ lifetimeSeconds: 100 }));
    const expired: string[] = [];
    const refreshFailures: number[] = [];
    session.on('expired', ({ reason }) => expired.push(reason));
    session.on('refresh-failed', ({ attempt }) => refreshFailures.push(attempt));
    await session.start();
    for (let i = 0; i < 50; i += 1)
      backend.queue.push({ status: 503, body: { error: 'momento-unavailable', message: 'down' } });

    await jest.advanceTimersByTimeAsync(99_999);
    expect(session.state).toBe('active');
    expect(refreshFailures.length).toBeGreaterThan(3);
    await jest.advanceTimersByTimeAsync(1);

    expect(session.state).toBe('expired');
    expect(expired).toEqual(['token-expired']);
    expect(jest.getTimerCount()).toBe(0);
    const publishes = transport.published.length;
    await jest.advanceTimersByTimeAsync(60_000);
    expect(transport.published).toHaveLength(publishes);
  });

  it('does not loop when the backend hands back the same token', async () => {
    const grant = tokenGrant({ lifetimeSeconds: 100 });
    const backend = tokenBackend({ status: 201, body: grant });
    const { session } = newSession(backend, new FakeTopicTransport());
    await session.start();
    for (let i = 0; i < 100; i += 1) backend.queue.push({ status: 201, body: grant });

    await jest.advanceTimersByTimeAsync(90_000);

    // Refresh at 80 s, then retries after 500 ms, 1 s, 2 s, 4 s, 8 s (the refresh policy) ... not thousands.
    expect(backend.requestToken.mock.calls.length).toBeGreaterThan(2);
    expect(backend.requestToken.mock.calls.length).toBeLessThan(10);
    await session.stop();
  });

  it('moves to refused when a refresh is answered 409', async () => {
    const { transport, session } = await startedSession(granted({ lifetimeSeconds: 100 }), refused);

    await jest.advanceTimersByTimeAsync(80_000);

    expect(session.state).toBe('refused');
    expect(session.refusal?.sessions).toHaveLength(2);
    expect(transport.lastSubscription.closed).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('moves to error when a refresh is answered with a permanent error', async () => {
    const backend = tokenBackend(granted({ lifetimeSeconds: 100 }), {
      status: 401,
      body: { error: 'unauthorized', message: 'log in again' },
    });
    const { session } = newSession(backend, new FakeTopicTransport());
    await session.start();
    await jest.advanceTimersByTimeAsync(80_000);
    expect(session.state).toBe('error');
    expect(session.error).toMatchObject({ code: 'unauthorized', status: 401 });
  });
});

describe('DeviceSession and the per-session key', () => {
  it('carries the grant’s sessionKey in every heartbeat, stop and token refresh', async () => {
    const first = tokenGrant({ lifetimeSeconds: 100, sessionKey: 'key-of-session-1' });
    const { backend, transport, session } = await startedSession({ status: 201, body: first });
    backend.queue.push(granted({ lifetimeSeconds: 100, sessionKey: 'key-of-session-1' }));
    await jest.advanceTimersByTimeAsync(80_000);
    await session.stop();

    expect(backend.bodies[1]).toEqual({
      deviceId: 'phone-1',
      contentId: 'title-42',
      sessionId: 'session-1',
      sessionKey: 'key-of-session-1',
    });
    expect(transport.messages('heartbeat').length).toBeGreaterThan(10);
    for (const published of transport.published) expect(published.body.sessionKey).toBe('key-of-session-1');
    expect(transport.messages('stop')).toHaveLength(1);
  });

  it('refuses a grant without a sessionKey (it could not prove its heartbeats)', async () => {
    const { sessionKey: _omitted, ...withoutKey } = tokenGrant();
    const backend = tokenBackend({ status: 201, body: withoutKey });
    const { session } = newSession(backend, new FakeTopicTransport());
    const result = await session.start();
    expect(result.state).toBe('error');
    expect(session.error?.code).toBe('invalid-token-answer');
  });
});

describe('DeviceSession replaced by another screen with the same deviceId', () => {
  it('stops playback when a refresh answers with another session, and releases that one', async () => {
    const { backend, transport, session, states } = sessionAnswered(
      granted({ lifetimeSeconds: 100, sessionKey: 'key-1' }),
    );
    const evictions: { reason: string; sessionId: string }[] = [];
    session.on('evicted', (message) => evictions.push({ reason: message.reason, sessionId: message.sessionId }));
    await session.start();
    // The backend no longer knows session-1 for this device (another screen took the deviceId):
    // the refresh comes back as a new session.
    const other = tokenGrant({ lifetimeSeconds: 100, sessionId: 'session-2', sessionKey: 'key-2' });
    backend.queue.push({ status: 201, body: other });
    await jest.advanceTimersByTimeAsync(80_000);

    expect(session.state).toBe('evicted');
    expect(states).toEqual(['starting', 'active', 'evicted']);
    expect(evictions).toEqual([{ reason: 'replaced', sessionId: 'session-1' }]);
    expect(session.sessionId).toBe('session-1'); // never adopted silently
    // The session it was handed is released at once rather than held until its lease runs out.
    expect(transport.messages('stop').map((m) => m.body)).toEqual([
      { v: 1, type: 'stop', sessionId: 'session-2', deviceId: 'phone-1', contentId: 'title-42', sessionKey: 'key-2' },
    ]);
    expect(transport.messages('heartbeat').every((m) => m.body.sessionId === 'session-1')).toBe(true);
    expect(transport.lastSubscription.closed).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('stops playback when told on the control topic that it was replaced', async () => {
    const { transport, session } = sessionAnswered(granted());
    const evictions: string[] = [];
    session.on('evicted', (message) => evictions.push(message.reason));
    await session.start();
    await jest.advanceTimersByTimeAsync(0);
    transport.lastSubscription.deliver({ v: 1, type: 'evicted', sessionId: 'session-1', reason: 'replaced' });
    expect(session.state).toBe('evicted');
    expect(evictions).toEqual(['replaced']);
    const beats = transport.messages('heartbeat').length;
    await jest.advanceTimersByTimeAsync(60_000);
    expect(transport.messages('heartbeat')).toHaveLength(beats);
    expect(transport.messages('stop')).toHaveLength(0); // the backend already ended it
  });
});

describe('DeviceSession control topic', () => {
  async function activeSession() {
    const { backend, transport, session, states } = await startedSession(granted());
    await jest.advanceTimersByTimeAsync(0);
    return { backend, transport, session, states };
  }

  it('stops heartbeating and reports an eviction of this session', async () => {
    const { transport, session, states } = await activeSession();
    const evictions: unknown[] = [];
    session.on('evicted', (message) => evictions.push(message));

    const message = { v: 1, type: 'evicted', sessionId: 'session-1', reason: 'evicted-by-newer-session' };
    transport.lastSubscription.deliver(message);

    expect(session.state).toBe('evicted');
    expect(states).toEqual(['starting', 'active', 'evicted']);
    expect(evictions).toEqual([message]);
    expect(transport.lastSubscription.closed).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
    expect(await heartbeatsAfter(transport, 60_000)).toBe(1);
    expect(transport.messages('stop')).toHaveLength(0);
  });

  it('reports an expiry of this session with its reason', async () => {
    const { transport, session } = await activeSession();
    const expiries: string[] = [];
    session.on('expired', ({ reason }) => expiries.push(reason));
    transport.lastSubscription.deliver({ v: 1, type: 'expired', sessionId: 'session-1', reason: 'max-duration' });
    expect(session.state).toBe('expired');
    expect(expiries).toEqual(['max-duration']);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('ignores messages for other sessions and messages outside the contract', async () => {
    const { transport, session } = await activeSession();
    transport.lastSubscription.deliver({
      v: 1,
      type: 'evicted',
      sessionId: 'session-2',
      reason: 'evicted-by-newer-session',
    });
    transport.lastSubscription.deliver({ v: 2, type: 'evicted', sessionId: 'session-1', reason: 'x' });
    transport.lastSubscription.deliver({ v: 1, type: 'reboot', sessionId: 'session-1', reason: 'x' });
    transport.lastSubscription.deliver('not json');
    expect(session.state).toBe('active');
    expect(await heartbeatsAfter(transport, 5_000)).toBe(2);
    await session.stop();
  });

  it('passes limit changes to the player and keeps going', async () => {
    const { transport, session } = await activeSession();
    const changes: unknown[] = [];
    session.on('limit-changed', (message) => changes.push(message));
    const message = { v: 1, type: 'limit-changed', sessionId: 'session-9', reason: 'plan upgraded' };
    transport.lastSubscription.deliver(message);
    expect(changes).toEqual([message]);
    expect(session.state).toBe('active');
    await session.stop();
  });

  it('refreshes the token when the control subscription is rejected as unauthenticated', async () => {
    const { backend, transport, session } = await activeSession();
    const next = tokenGrant({ lifetimeSeconds: 900 });
    backend.queue.push({ status: 201, body: next });
    transport.lastSubscription.fail(new TopicTransportError('unauthenticated', 'expired'));
    await jest.advanceTimersByTimeAsync(0);
    expect(transport.lastSubscription.tokens[1]).toBe(next.token);
    expect(session.state).toBe('active');
    await session.stop();
  });

  it('moves to error when the control topic forbids the token', async () => {
    const { transport, session } = await activeSession();
    transport.lastSubscription.fail(new TopicTransportError('forbidden', 'subscribe not allowed'));
    expect(session.state).toBe('error');
    expect(session.error?.code).toBe('control-failed');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('keeps working when a listener throws', async () => {
    const { transport, session } = await activeSession();
    const seen: string[] = [];
    session.on('evicted', () => {
      throw new Error('player bug');
    });
    session.on('evicted', () => seen.push('second listener'));
    const thrown: unknown[] = [];
    const original = globalThis.queueMicrotask;
    globalThis.queueMicrotask = (callback) => {
      try {
        callback();
      } catch (error) {
        thrown.push(error);
      }
    };
    try {
      transport.lastSubscription.deliver({ v: 1, type: 'evicted', sessionId: 'session-1', reason: 'ended-by-account' });
    } finally {
      globalThis.queueMicrotask = original;
    }
    expect(session.state).toBe('evicted');
    expect(seen).toEqual(['second listener']);
    expect(thrown).toHaveLength(1);
  });
});

describe('DeviceSession stop', () => {
  it('publishes a stop message, then sends nothing more and leaves no timer', async () => {
    const { transport, session, states } = await startedSession(granted());
    await jest.advanceTimersByTimeAsync(12_000);

    await session.stop();

    expect(states).toEqual(['starting', 'active', 'stopped']);
    const last = transport.published[transport.published.length - 1];
    expect(last?.body).toEqual(STOP_OF_SESSION_1);
    expect(last?.address.topic).toBe('heartbeats');
    expect(transport.lastSubscription.closed).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
    const count = transport.published.length;
    await jest.advanceTimersByTimeAsync(60_000);
    expect(transport.published).toHaveLength(count);
    await session.stop(); // a second stop is a no-op
    expect(transport.published).toHaveLength(count);
  });

  it('still stops when the stop message cannot be sent', async () => {
    const { transport, session } = await startedSession(granted());
    await jest.advanceTimersByTimeAsync(0);
    transport.nextPublishOutcomes.push(new TopicTransportError('transient', 'offline'));
    await expect(session.stop()).resolves.toBeUndefined();
    expect(session.state).toBe('stopped');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('releases the slot when stopped while starting', async () => {
    let answer: (value: TokenAnswer) => void = () => undefined;
    const transport = new FakeTopicTransport();
    const session = new DeviceSession({
      deviceId: 'phone-1',
      requestToken: () => new Promise<TokenAnswer>((resolve) => (answer = resolve)),
      transport,
      pageLifecycle: false,
    });
    const starting = session.start();
    const stopping = session.stop();
    answer({ status: 201, body: tokenGrant() });

    await expect(starting).resolves.toEqual({ state: 'stopped' });
    await stopping;
    expect(session.state).toBe('stopped');
    expect(transport.published.map((entry) => entry.body.type)).toEqual(['stop']);
    expect(transport.subscriptions).toHaveLength(0);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('drops a heartbeat answer that arrives after stop', async () => {
    const backend = tokenBackend(granted());
    let release: () => void = () => undefined;
    const transport = new FakeTopicTransport();
    const slowPublish = transport.publish.bind(transport);
    transport.publish = async (address, message) => {
      await slowPublish(address, message);
      if (JSON.parse(message).type === 'heartbeat') await new Promise<void>((resolve) => (release = resolve));
    };
    const { session } = newSession(backend, transport);
    await session.start();
    await session.stop();
    release();
    await jest.advanceTimersByTimeAsync(30_000);
    expect(transport.published.map((entry) => entry.body.type)).toEqual(['heartbeat', 'stop']);
    expect(jest.getTimerCount()).toBe(0);
  });
});

describe('DeviceSession page exit', () => {
  function fakePage(visibilityState = 'visible') {
    const window = new EventTarget();
    const document = Object.assign(new EventTarget(), { visibilityState });
    return { window, document };
  }

  it('sends the stop with the exit publisher on pagehide', async () => {
    const page = fakePage();
    const backend = tokenBackend(granted());
    const transport = new FakeTopicTransport();
    const { session } = newSession(backend, transport, { pageLifecycle: page });
    await session.start();

    page.window.dispatchEvent(new Event('pagehide'));

    expect(session.state).toBe('stopped');
    expect(transport.exitPublished.map((entry) => entry.body)).toEqual([STOP_OF_SESSION_1]);
    expect(jest.getTimerCount()).toBe(0);
    page.window.dispatchEvent(new Event('pagehide'));
    expect(transport.exitPublished).toHaveLength(1);
  });

  it('ignores a hidden page unless stopWhenHidden is set', async () => {
    const page = fakePage('hidden');
    const transport = new FakeTopicTransport();
    const { session } = newSession(tokenBackend(granted()), transport, { pageLifecycle: page });
    await session.start();
    page.document.dispatchEvent(new Event('visibilitychange'));
    expect(session.state).toBe('active');
    await session.stop();

    const hiddenPage = fakePage('hidden');
    const other = newSession(tokenBackend(granted()), transport, { pageLifecycle: hiddenPage, stopWhenHidden: true });
    await other.session.start();
    hiddenPage.document.dispatchEvent(new Event('visibilitychange'));
    expect(other.session.state).toBe('stopped');
    expect(transport.exitPublished).toHaveLength(1);
  });

  it('stops watching the page once the session has ended', async () => {
    const page = fakePage();
    const transport = new FakeTopicTransport();
    const { session } = newSession(tokenBackend(granted()), transport, { pageLifecycle: page });
    await session.start();
    await session.stop();
    page.window.dispatchEvent(new Event('pagehide'));
    expect(transport.exitPublished).toHaveLength(0);
  });

  it('falls back to publish for a transport without an exit publisher', async () => {
    const page = fakePage();
    const transport = new FakeTopicTransport();
    const plain = { publish: transport.publish.bind(transport), subscribe: transport.subscribe.bind(transport) };
    const { session } = newSession(tokenBackend(granted()), transport, { pageLifecycle: page, transport: plain });
    await session.start();
    page.window.dispatchEvent(new Event('pagehide'));
    expect(transport.messages('stop')).toHaveLength(1);
  });
});

describe('DeviceSession stopped from its own listeners', () => {
  it('stops cleanly when a listener calls stop() on active', async () => {
    const transport = new FakeTopicTransport();
    const { session } = newSession(tokenBackend(granted()), transport);
    session.on('active', () => void session.stop());
    await expect(session.start()).resolves.toEqual({ state: 'stopped' });
    await jest.advanceTimersByTimeAsync(0);
    expect(session.state).toBe('stopped');
    expect(transport.messages('heartbeat')).toHaveLength(0);
    expect(transport.messages('stop')).toHaveLength(1);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('stops cleanly when a listener calls stop() on starting', async () => {
    const transport = new FakeTopicTransport();
    const { session } = newSession(tokenBackend(granted()), transport);
    session.on('state', ({ state }) => {
      if (state === 'starting') void session.stop();
    });
    await expect(session.start()).resolves.toEqual({ state: 'stopped' });
    expect(transport.published.map((entry) => entry.body.type)).toEqual(['stop']);
    expect(jest.getTimerCount()).toBe(0);
  });
});

describe('DeviceSession degraded admission (the backend fails open)', () => {
  const degraded = (overrides: Parameters<typeof tokenGrant>[0] = {}): TokenAnswer => ({
    status: 201,
    body: { ...tokenGrant({ lifetimeSeconds: 0, active: 0, ...overrides }), token: '', degraded: true },
  });

  it('plays on without heartbeats, then takes a real token as a new admission when counting works again', async () => {
    const { backend, transport, session, states } = sessionAnswered(
      degraded({ sessionId: 'uncounted' }),
      degraded({ sessionId: 'uncounted-2' }),
      granted({ sessionId: 'session-9' }),
    );
    const actives: string[] = [];
    session.on('active', (grant) => actives.push(grant.sessionId));

    const result = await session.start();
    expect(result.state).toBe('active');
    expect(session.grant?.degraded).toBe(true);
    await jest.advanceTimersByTimeAsync(4_999);
    expect(transport.published).toHaveLength(0); // no token: nothing to publish
    expect(transport.subscriptions).toHaveLength(0);
    expect(backend.bodies).toHaveLength(1);

    await jest.advanceTimersByTimeAsync(1); // one heartbeat interval later: still degraded
    expect(backend.bodies).toHaveLength(2);
    expect(session.state).toBe('active');
    await jest.advanceTimersByTimeAsync(5_000);
    expect(backend.bodies).toHaveLength(3);
    // Asked as new admissions: the backend kept no session for a degraded answer.
    expect(backend.bodies.every((body) => body.sessionId === undefined)).toBe(true);

    expect(session.sessionId).toBe('session-9');
    expect(actives).toEqual(['uncounted', 'session-9']);
    expect(states).toEqual(['starting', 'active']);
    expect(transport.subscriptions).toHaveLength(1);
    expect(transport.published.map((p) => p.body)).toEqual([
      {
        v: 1,
        type: 'heartbeat',
        sessionId: 'session-9',
        deviceId: 'phone-1',
        sessionKey: 'key-of-session-1',
        contentId: 'title-42',
      },
    ]);
    await session.stop();
  });

  it('is refused once counting works again and the account is full', async () => {
    const { session } = await startedSession(degraded(), refused);
    await jest.advanceTimersByTimeAsync(5_000);
    expect(session.state).toBe('refused');
    expect(session.refusal?.sessions).toHaveLength(2);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('stops without publishing a stop message, since it holds no slot', async () => {
    const { transport, session } = await startedSession(degraded());
    await session.stop();
    expect(session.state).toBe('stopped');
    expect(transport.published).toHaveLength(0);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('still refuses an empty token in an answer that is not degraded', async () => {
    const backend = tokenBackend({ status: 201, body: { ...tokenGrant(), token: '' } });
    const { session } = newSession(backend, new FakeTopicTransport());
    const result = await session.start();
    expect(result.state).toBe('error');
    expect(session.error?.code).toBe('invalid-token-answer');
  });
});
