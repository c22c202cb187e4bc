import { DeviceSession } from '../../client/device-session';
import { createHttpTopicTransport } from '../../client/http-topic-transport';
import { BACKEND_EXPIRED_REASONS, END_REASONS, EVICTED_REASONS, EXPIRED_REASONS } from '../../client/reasons';
import { TopicTransportError } from '../../client/topic-transport';
import { controlMessageForEnd } from '../../lambda/core/engine/session-lifecycle';
import { FakeTopicTransport, tokenGrant } from './fake-topic-transport';
import { granted, refused, tokenBackend, unavailable } from './fake-token-backend';
import { useFakeClock } from './support/fake-clock';
import { sessionOnFakes } from './support/session-on-fakes';

// Connection health (the lease watchdog, reconnecting, the session check), configuration errors,
// retry policies of start and refresh, the stop on terminal endings, and why a session stopped.

const transient = () => new TopicTransportError('transient', 'network down');
const LEASE = { heartbeatIntervalSeconds: 5, leaseSeconds: 15, lifetimeSeconds: 3_600 };

useFakeClock('2026-11-25T12:00:00.000Z');

describe('DeviceSession when heartbeats do not get through', () => {
  it('ends expired (connection-lost) once no heartbeat got through for a lease, and tries to release the slot', async () => {
    const transport = new FakeTopicTransport();
    const { session } = sessionOnFakes(tokenBackend(granted(LEASE)), transport);
    const expired: unknown[] = [];
    const reconnecting: unknown[] = [];
    session.on('expired', (event) => expired.push(event));
    session.on('reconnecting', (event) => reconnecting.push(event));
    await session.start();
    await jest.advanceTimersByTimeAsync(0); // the first heartbeat (sent at 0) gets through
    for (let i = 0; i < 100; i += 1) transport.nextPublishOutcomes.push(transient());

    await jest.advanceTimersByTimeAsync(14_999);
    expect(session.state).toBe('active');
    expect(reconnecting).toEqual([
      { error: expect.any(TopicTransportError), lastHeartbeatAt: Date.parse('2026-11-25T12:00:00.000Z') },
    ]);
    await jest.advanceTimersByTimeAsync(1);

    expect(session.state).toBe('expired');
    expect(expired).toEqual([{ reason: 'connection-lost' }]);
    expect(transport.messages('stop')).toHaveLength(1);
    expect(transport.lastSubscription.closed).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('counts the lease from the last heartbeat that got through, not from the admission', async () => {
    const transport = new FakeTopicTransport();
    const { session } = sessionOnFakes(tokenBackend(granted(LEASE)), transport);
    await session.start();
    // Heartbeats at 0, 5, 10 get through; from 15 s on every one fails.
    await jest.advanceTimersByTimeAsync(10_000);
    for (let i = 0; i < 100; i += 1) transport.nextPublishOutcomes.push(transient());

    await jest.advanceTimersByTimeAsync(14_999); // 24.999 s: 15 s after the heartbeat sent at 10 s is 25 s
    expect(session.state).toBe('active');
    await jest.advanceTimersByTimeAsync(1);
    expect(session.state).toBe('expired');
  });

  it('ends in error (heartbeat-unreachable) when not one heartbeat got through within the lease', async () => {
    const transport = new FakeTopicTransport();
    for (let i = 0; i < 100; i += 1)
      transport.nextPublishOutcomes.push(new TopicTransportError('transient', 'Failed to fetch'));
    const { session } = sessionOnFakes(tokenBackend(granted(LEASE)), transport);
    await session.start();

    await jest.advanceTimersByTimeAsync(14_999);
    expect(session.state).toBe('active');
    await jest.advanceTimersByTimeAsync(1);

    expect(session.state).toBe('error');
    expect(session.error).toMatchObject({ code: 'heartbeat-unreachable', retryable: false });
    expect(session.error?.message).toMatch(/Failed to fetch/);
    const calls = transport.published.length;
    await jest.advanceTimersByTimeAsync(120_000);
    expect(transport.published).toHaveLength(calls); // no endless retries
  });

  it('reconnects, then checks at once whether the session survived, and ends it when it did not', async () => {
    const other = tokenGrant({ ...LEASE, sessionId: 'session-2', sessionKey: 'key-of-session-2' });
    const backend = tokenBackend(granted(LEASE), { status: 201, body: other });
    const transport = new FakeTopicTransport();
    const { session } = sessionOnFakes(backend, transport);
    const reconnected: unknown[] = [];
    const expired: unknown[] = [];
    session.on('reconnected', (event) => reconnected.push(event));
    session.on('expired', (event) => expired.push(event));
    await session.start();
    await jest.advanceTimersByTimeAsync(0);
    // Three failures (at 5, 5.25, 5.75 s: backoff from 500 ms, half of each step), then the fourth try at 6.75 s gets through.
    transport.nextPublishOutcomes.push(transient(), transient(), transient());

    await jest.advanceTimersByTimeAsync(6_750);

    expect(reconnected).toEqual([{ downMs: 1_750, failedAttempts: 3 }]);
    // The check: a refresh with the session's id and key, long before the token's refresh time.
    expect(backend.bodies[1]).toMatchObject({ sessionId: 'session-1', sessionKey: 'key-of-session-1' });
    expect(session.state).toBe('expired');
    expect(expired).toEqual([{ reason: 'connection-lost' }]);
    // The session it was handed instead is released at once.
    expect(transport.messages('stop').map((entry) => entry.body.sessionId)).toEqual(['session-2']);
  });

  it('carries on without a refresh retry when the check finds the session alive', async () => {
    const first = tokenGrant(LEASE);
    const backend = tokenBackend({ status: 201, body: first }, { status: 201, body: first });
    const transport = new FakeTopicTransport();
    const { session } = sessionOnFakes(backend, transport);
    const refreshFailures: unknown[] = [];
    session.on('refresh-failed', (event) => refreshFailures.push(event));
    await session.start();
    await jest.advanceTimersByTimeAsync(0);
    transport.nextPublishOutcomes.push(transient(), transient());

    await jest.advanceTimersByTimeAsync(30_000);

    expect(backend.requestToken).toHaveBeenCalledTimes(2);
    expect(refreshFailures).toEqual([]);
    expect(session.state).toBe('active');
    await session.stop();
  });

  it('ends a start whose token route URL cannot be parsed in error (invalid-url), not retryable', async () => {
    const session = new DeviceSession({
      deviceId: 'phone-1',
      // A real fetch with a malformed URL: it throws before any network.
      requestToken: (body) => fetch('http://[not-a-host/tokens', { method: 'POST', body: JSON.stringify(body) }),
      transport: new FakeTopicTransport(),
      pageLifecycle: false,
      startRetry: { maxAttempts: 5 },
    });
    jest.useRealTimers();
    const result = await session.start();
    expect(result).toMatchObject({ state: 'error', error: { code: 'invalid-url', retryable: false } });
  });

  it('refuses a malformed topics baseUrl when the transport is created', () => {
    expect(() => createHttpTopicTransport({ baseUrl: 'localhost:4000', fetch: async () => new Response() })).toThrow(
      /baseUrl/,
    );
    expect(() => createHttpTopicTransport({ baseUrl: 'http://[::1', fetch: async () => new Response() })).toThrow(
      /baseUrl/,
    );
    expect(() =>
      createHttpTopicTransport({ baseUrl: 'http://127.0.0.1:4000/', fetch: async () => new Response() }),
    ).not.toThrow();
  });
});

describe('DeviceSession retry policies', () => {
  it('does not retry start() unless asked to', async () => {
    const backend = tokenBackend(unavailable(), granted());
    const { session } = sessionOnFakes(backend, new FakeTopicTransport());
    await expect(session.start()).resolves.toMatchObject({
      state: 'error',
      error: { code: 'momento-unavailable', retryable: true },
    });
    expect(backend.requestToken).toHaveBeenCalledTimes(1);
  });

  it('retries start() with startRetry, no sooner than Retry-After', async () => {
    const backend = tokenBackend(unavailable('3'), granted());
    const { session } = sessionOnFakes(backend, new FakeTopicTransport(), { startRetry: { initialMs: 100 } });
    const failures: unknown[] = [];
    session.on('start-failed', (event) =>
      failures.push({ attempt: event.attempt, retryInMs: event.retryInMs, code: event.error.code }),
    );

    const starting = session.start();
    await jest.advanceTimersByTimeAsync(2_999);
    expect(backend.requestToken).toHaveBeenCalledTimes(1);
    expect(session.state).toBe('starting');
    await jest.advanceTimersByTimeAsync(1);

    await expect(starting).resolves.toMatchObject({ state: 'active' });
    expect(failures).toEqual([{ attempt: 1, retryInMs: 3_000, code: 'momento-unavailable' }]);
    await session.stop();
  });

  it('reads Retry-After from a fetch Response, as seconds or as an HTTP date', async () => {
    const grant = tokenGrant();
    const answers = [
      new Response(JSON.stringify({ error: 'momento-unavailable', message: 'down' }), {
        status: 503,
        headers: { 'retry-after': '2' },
      }),
      new Response(JSON.stringify({ error: 'momento-unavailable', message: 'down' }), {
        status: 503,
        headers: { 'retry-after': new Date(Date.now() + 30_000).toUTCString() },
      }),
      new Response(JSON.stringify(grant), { status: 201 }),
    ];
    const session = new DeviceSession({
      deviceId: 'phone-1',
      requestToken: async () => answers.shift()!,
      transport: new FakeTopicTransport(),
      pageLifecycle: false,
      random: () => 0,
      startRetry: { initialMs: 100 },
    });
    const delays: number[] = [];
    session.on('start-failed', ({ retryInMs }) => delays.push(retryInMs));
    const starting = session.start();
    await jest.advanceTimersByTimeAsync(40_000);
    await expect(starting).resolves.toMatchObject({ state: 'active' });
    // The date says 30 s after the first answer and is read 2 s later (one-second resolution).
    expect(delays[0]).toBe(2_000);
    expect(delays[1]).toBeGreaterThan(27_000);
    expect(delays[1]).toBeLessThanOrEqual(28_000);
    await session.stop();
  });

  it('gives up on start() after the retry budget, and does not retry a permanent error', async () => {
    const backend = tokenBackend(unavailable(), unavailable(), unavailable(), granted());
    const { session } = sessionOnFakes(backend, new FakeTopicTransport(), { startRetry: { maxAttempts: 2 } });
    const starting = session.start();
    await jest.advanceTimersByTimeAsync(60_000);
    await expect(starting).resolves.toMatchObject({ state: 'error', error: { code: 'momento-unavailable' } });
    expect(backend.requestToken).toHaveBeenCalledTimes(3);

    const permanent = tokenBackend({ status: 400, body: { error: 'invalid-request', message: 'bad' } }, granted());
    const other = sessionOnFakes(permanent, new FakeTopicTransport(), { startRetry: {} });
    await expect(other.session.start()).resolves.toMatchObject({ state: 'error' });
    expect(permanent.requestToken).toHaveBeenCalledTimes(1);
  });

  it('stops at once when stop() is called while waiting to retry start()', async () => {
    const backend = tokenBackend(unavailable(), granted());
    const { session } = sessionOnFakes(backend, new FakeTopicTransport(), { startRetry: { initialMs: 10_000 } });
    const starting = session.start();
    await jest.advanceTimersByTimeAsync(0);
    await session.stop();
    await expect(starting).resolves.toEqual({ state: 'stopped' });
    expect(session.stoppedReason).toBe('user');
    await jest.advanceTimersByTimeAsync(60_000);
    expect(backend.requestToken).toHaveBeenCalledTimes(1);
  });

  it('gives token refresh its own policy, honouring Retry-After', async () => {
    const backend = tokenBackend(
      granted({ lifetimeSeconds: 100 }),
      unavailable('10'),
      granted({ lifetimeSeconds: 900 }),
    );
    const { session } = sessionOnFakes(backend, new FakeTopicTransport());
    const failures: Array<number | undefined> = [];
    session.on('refresh-failed', ({ retryInMs }) => failures.push(retryInMs));
    await session.start();

    await jest.advanceTimersByTimeAsync(80_000); // refresh at 80 s (a fifth of 100 s before expiry)
    expect(backend.requestToken).toHaveBeenCalledTimes(2);
    await jest.advanceTimersByTimeAsync(9_999);
    expect(backend.requestToken).toHaveBeenCalledTimes(2);
    await jest.advanceTimersByTimeAsync(1);

    expect(backend.requestToken).toHaveBeenCalledTimes(3);
    expect(failures).toEqual([10_000]);
    expect(session.state).toBe('active');
    await session.stop();
  });

  it('spends no more calls than the refresh budget against a backend that is down', async () => {
    const backend = tokenBackend(granted({ lifetimeSeconds: 600 }));
    for (let i = 0; i < 100; i += 1) backend.queue.push(unavailable());
    const { session } = sessionOnFakes(backend, new FakeTopicTransport(), { refreshRetry: { maxAttempts: 3 } });
    const failures: Array<number | undefined> = [];
    const expired: string[] = [];
    session.on('refresh-failed', ({ retryInMs }) => failures.push(retryInMs));
    session.on('expired', ({ reason }) => expired.push(reason));
    await session.start();

    await jest.advanceTimersByTimeAsync(600_000);

    expect(backend.requestToken).toHaveBeenCalledTimes(1 + 1 + 3); // admission, refresh, three retries
    expect(failures).toEqual([500, 1_000, 2_000, undefined]);
    expect(expired).toEqual(['token-expired']);
  });
});

describe('DeviceSession ending after admission releases its slot', () => {
  it('sends a stop when the control topic refuses the device (error)', async () => {
    const transport = new FakeTopicTransport();
    const { session } = sessionOnFakes(tokenBackend(granted()), transport);
    await session.start();
    await jest.advanceTimersByTimeAsync(0);
    transport.lastSubscription.fail(new TopicTransportError('forbidden', 'subscribe not allowed'));
    await jest.advanceTimersByTimeAsync(0);
    expect(session.state).toBe('error');
    expect(transport.messages('stop').map((entry) => entry.body)).toEqual([
      { v: 1, type: 'stop', sessionId: 'session-1', deviceId: 'phone-1', sessionKey: 'key-of-session-1' },
    ]);
  });

  it('sends a stop when a refresh is refused (refused)', async () => {
    const transport = new FakeTopicTransport();
    const { session } = sessionOnFakes(tokenBackend(granted({ lifetimeSeconds: 100 }), refused), transport);
    await session.start();
    await jest.advanceTimersByTimeAsync(80_000);
    expect(session.state).toBe('refused');
    expect(transport.messages('stop')).toHaveLength(1);
  });

  it('sends no stop for a start that was never admitted', async () => {
    const transport = new FakeTopicTransport();
    const { session } = sessionOnFakes(tokenBackend(refused), transport);
    await session.start();
    expect(transport.published).toHaveLength(0);
  });
});

describe('DeviceSession stopped reasons and resuming', () => {
  function fakePage(visibilityState = 'visible') {
    const window = new EventTarget();
    const document = Object.assign(new EventTarget(), { visibilityState });
    return { window, document };
  }

  it('says why it stopped: user, page-left, page-hidden', async () => {
    const reasons: string[] = [];
    const byUser = sessionOnFakes(tokenBackend(granted()), new FakeTopicTransport());
    byUser.session.on('stopped', ({ reason }) => reasons.push(reason));
    await byUser.session.start();
    await byUser.session.stop();
    expect(byUser.session.stoppedReason).toBe('user');

    const page = fakePage();
    const left = sessionOnFakes(tokenBackend(granted()), new FakeTopicTransport(), { pageLifecycle: page });
    left.session.on('stopped', ({ reason }) => reasons.push(reason));
    await left.session.start();
    page.window.dispatchEvent(new Event('pagehide'));

    const hiddenPage = fakePage();
    const hidden = sessionOnFakes(tokenBackend(granted()), new FakeTopicTransport(), {
      pageLifecycle: hiddenPage,
      stopWhenHidden: true,
    });
    hidden.session.on('stopped', ({ reason }) => reasons.push(reason));
    await hidden.session.start();
    hiddenPage.document.visibilityState = 'hidden';
    hiddenPage.document.dispatchEvent(new Event('visibilitychange'));

    expect(reasons).toEqual(['user', 'page-left', 'page-hidden']);
    expect(hidden.session.stoppedReason).toBe('page-hidden');
  });

  it('starts again when the page is visible again, with resumeWhenVisible', async () => {
    const page = fakePage();
    const backend = tokenBackend(granted(), granted({ sessionId: 'session-2', sessionKey: 'key-of-session-2' }));
    const transport = new FakeTopicTransport();
    const { session, states } = sessionOnFakes(backend, transport, {
      pageLifecycle: page,
      stopWhenHidden: true,
      resumeWhenVisible: true,
    });
    await session.start();
    page.document.visibilityState = 'hidden';
    page.document.dispatchEvent(new Event('visibilitychange'));
    expect(session.state).toBe('stopped');

    page.document.visibilityState = 'visible';
    page.document.dispatchEvent(new Event('visibilitychange'));
    await jest.advanceTimersByTimeAsync(0);

    expect(states).toEqual(['starting', 'active', 'stopped', 'starting', 'active']);
    expect(session.sessionId).toBe('session-2');
    await session.stop();
  });

  it('stays stopped when the page is visible again without resumeWhenVisible, or after stop()', async () => {
    const page = fakePage();
    const backend = tokenBackend(granted(), granted());
    const { session } = sessionOnFakes(backend, new FakeTopicTransport(), {
      pageLifecycle: page,
      stopWhenHidden: true,
    });
    await session.start();
    page.document.visibilityState = 'hidden';
    page.document.dispatchEvent(new Event('visibilitychange'));
    page.document.visibilityState = 'visible';
    page.document.dispatchEvent(new Event('visibilitychange'));
    await jest.advanceTimersByTimeAsync(0);
    expect(session.state).toBe('stopped');
    expect(backend.requestToken).toHaveBeenCalledTimes(1);
  });
});

describe('DeviceSession deviceName', () => {
  it('sends the viewer’s name for the device with every token request, and reads it in a refusal', async () => {
    const backend = tokenBackend(granted({ lifetimeSeconds: 100 }), granted({ lifetimeSeconds: 900 }), {
      status: 409,
      body: {
        error: 'limit-reached',
        message: 'full',
        sessions: [{ sessionId: 's-a', deviceId: 'tv', deviceName: 'Living-room TV' }],
      },
    });
    const { session } = sessionOnFakes(backend, new FakeTopicTransport(), { deviceName: 'Kitchen tablet' });
    await session.start();
    await jest.advanceTimersByTimeAsync(80_000);
    expect(backend.bodies.map((body) => body.deviceName)).toEqual(['Kitchen tablet', 'Kitchen tablet']);
    await session.stop();

    await session.start();
    expect(session.refusal?.sessions[0]?.deviceName).toBe('Living-room TV');
    expect(() => sessionOnFakes(backend, new FakeTopicTransport(), { deviceName: '<b>TV</b>' })).toThrow(/deviceName/);
  });
});

describe('reasons shared with the backend', () => {
  it('lists every reason the backend tells a device, under the control message type it is told with', () => {
    for (const reason of END_REASONS) {
      const told = controlMessageForEnd(reason);
      if (reason === 'stopped') expect(told).toBeUndefined();
      else if (told === 'evicted') expect(EVICTED_REASONS).toContain(reason);
      else expect(BACKEND_EXPIRED_REASONS).toContain(reason);
    }
    expect(EXPIRED_REASONS).toEqual(
      expect.arrayContaining(['lease-expired', 'lease-lost', 'max-duration', 'token-expired', 'connection-lost']),
    );
  });
});
