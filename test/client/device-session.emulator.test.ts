import type { TopicClient } from '@gomomento/sdk';
import {
  createHttpTopicTransport,
  DeviceSession,
  type DeviceSessionOptions,
  type DeviceSessionState,
  type TopicTransport,
} from '../../client/index';
import { createSdkTopicTransport } from '../../client/node';
import { startEmulator, type Emulator } from '../../local/emulator';
import {
  hearsControl,
  localTopicClient,
  publishControl,
  recordTopic,
  sleep,
  testTokenBackend,
  waitFor,
  type TestBackendOptions,
  type TopicRecording,
} from './support/emulator-backend';

// The device client against the emulator through the real transports: @gomomento/sdk over gRPC
// (Node) and the HTTP topics API with global fetch (what the browser build uses).

const CACHE = 'concurrency';
const HEARTBEATS = 'heartbeats';

let emulator: Emulator;
let observer: TopicClient;
let accountCounter = 0;

beforeAll(async () => {
  emulator = await startEmulator({ caches: [CACHE], longPollTimeoutMs: 2_000 });
  observer = localTopicClient(emulator);
});

afterAll(async () => {
  await emulator.stop();
});

const transports: Array<[string, () => TopicTransport]> = [
  ['the Node SDK transport', () => createSdkTopicTransport({ endpoint: emulator.address })],
  ['the HTTP (browser) transport', () => createHttpTopicTransport({ baseUrl: emulator.httpUrl })],
];

describe.each(transports)('DeviceSession with %s', (_name, makeTransport) => {
  let recording: TopicRecording | undefined;
  const sessions: DeviceSession[] = [];

  afterEach(async () => {
    emulator.faults.clear();
    recording?.close();
    recording = undefined;
    await Promise.all(sessions.splice(0).map((session) => session.stop()));
  });

  function setUp(overrides: Partial<TestBackendOptions> = {}, sessionOptions: Partial<DeviceSessionOptions> = {}) {
    accountCounter += 1;
    const transport = makeTransport();
    // Every heartbeat and stop message the device hands to its transport, so that a test can tell
    // what it sent from what is still on its way.
    let published = 0;
    const countingTransport: TopicTransport = {
      publish: (address, message) => {
        published += 1;
        return transport.publish(address, message);
      },
      subscribe: (address, handlers) => transport.subscribe(address, handlers),
    };
    const accountId = `account-${accountCounter}`;
    const backend = testTokenBackend(emulator, {
      cacheName: CACHE,
      accountId,
      heartbeatTopic: HEARTBEATS,
      controlTopic: `control-${accountId}`,
      heartbeatIntervalSeconds: 0.2,
      tokenLifetimeSeconds: 600,
      ...overrides,
    });
    const session = new DeviceSession({
      deviceId: `device-${accountCounter}`,
      contentId: 'title-1',
      requestToken: backend.requestToken,
      transport: countingTransport,
      pageLifecycle: false,
      ...sessionOptions,
    });
    sessions.push(session);
    const states: DeviceSessionState[] = [];
    session.on('state', ({ state }) => states.push(state));
    const controlTopic = `control-${accountId}`;
    return {
      accountId,
      deviceId: `device-${accountCounter}`,
      backend,
      session,
      states,
      controlTopic,
      published: () => published,
      /** Tells the session (or, with `sessionId`, another one of the account) on the control topic. */
      tell: (type: 'evicted' | 'expired', reason: string, sessionId = 'session-1') =>
        publishControl(observer, CACHE, controlTopic, { v: 1, type, sessionId, reason }),
      /** Resolves once the session hears the control topic, and so everything published on it before. */
      untilHeard: (reason: string) => hearsControl(session, observer, CACHE, controlTopic, reason),
    };
  }

  it('heartbeats on the interval, stamped with the account as token id, then stops', async () => {
    const { accountId, deviceId, session, states } = setUp();
    recording = await recordTopic(observer, CACHE, HEARTBEATS);
    const mine = () => recording?.messages().filter((message) => message.tokenId === accountId) ?? [];

    const started = Date.now();
    await expect(session.start()).resolves.toMatchObject({ state: 'active' });
    await waitFor(() => mine().length >= 4, 5_000, 'four heartbeats');
    const elapsed = Date.now() - started;
    // Four heartbeats at a 200 ms interval: the first at once, the fourth after about 600 ms.
    expect(elapsed).toBeGreaterThanOrEqual(550);
    expect(mine()[0]?.body).toEqual({
      v: 1,
      type: 'heartbeat',
      sessionId: 'session-1',
      deviceId,
      sessionKey: 'key-of-session-1',
      contentId: 'title-1',
    });

    await session.stop();
    await waitFor(() => mine().some((message) => message.body.type === 'stop'), 5_000, 'the stop message');
    const count = mine().length;
    await sleep(600);
    expect(mine()).toHaveLength(count);
    expect(mine()[count - 1]?.body).toMatchObject({ type: 'stop', sessionId: 'session-1' });
    expect(states).toEqual(['starting', 'active', 'stopped']);
  });

  it('is evicted by a control message for its session, and only for its session', async () => {
    const { accountId, session, published, tell, untilHeard } = setUp();
    recording = await recordTopic(observer, CACHE, HEARTBEATS);
    const evicted: string[] = [];
    session.on('evicted', ({ reason }) => evicted.push(reason));
    await session.start();
    await untilHeard('listening'); // the control subscription is open

    await tell('evicted', 'evicted-by-newer-session', 'another-session');
    await untilHeard('after the other session'); // so the eviction above has been heard too
    expect(session.state).toBe('active');

    await tell('evicted', 'evicted-by-newer-session');
    await waitFor(() => session.state === 'evicted', 5_000, 'the eviction');
    expect(evicted).toEqual(['evicted-by-newer-session']);

    // What the device sent before the eviction arrives; then nothing more is sent or arrives.
    const sent = published();
    const mine = () => recording?.messages().filter((message) => message.tokenId === accountId) ?? [];
    await waitFor(() => mine().length === sent, 5_000, 'the heartbeats sent before the eviction');
    await sleep(600); // three heartbeat intervals
    expect(published()).toBe(sent);
    expect(mine()).toHaveLength(sent);
  });

  it('refreshes its short-lived token before it expires and keeps heartbeating and listening', async () => {
    const { accountId, backend, session, tell } = setUp(
      { tokenLifetimeSeconds: 3 },
      { refreshBeforeExpirySeconds: 1.5 },
    );
    recording = await recordTopic(observer, CACHE, HEARTBEATS);
    const refreshed: string[] = [];
    session.on('token-refreshed', (grant) => refreshed.push(grant.token));
    await session.start();
    const firstToken = session.grant?.token;
    const firstExpiresAt = Date.parse(session.grant?.expiresAt ?? '');

    await waitFor(() => refreshed.length >= 2, 8_000, 'two token refreshes');
    expect(backend.bodies.slice(1).every((body) => body.sessionId === 'session-1')).toBe(true);
    expect(refreshed[0]).not.toBe(firstToken);
    // Past the first token's expiry: heartbeats still arrive, so they use the refreshed token.
    const mine = () => recording?.messages().filter((message) => message.tokenId === accountId).length ?? 0;
    await waitFor(() => Date.now() > firstExpiresAt, 5_000, "the first token's expiry");
    const before = mine();
    await waitFor(() => mine() > before, 5_000, "a heartbeat after the first token's expiry");
    expect(session.state).toBe('active');

    // The control subscription moved to the new token too.
    await tell('expired', 'max-duration');
    await waitFor(() => session.state === 'expired', 5_000, 'the expiry');
  });

  it('moves to error when its token may not subscribe to the control topic', async () => {
    const { session } = setUp({ withoutControlPermission: true });
    const errors: string[] = [];
    session.on('error', (error) => errors.push(error.code));
    await session.start();
    await waitFor(() => session.state === 'error', 5_000, 'the control failure');
    expect(errors).toEqual(['control-failed']);
    expect(session.error?.message).toMatch(/forbidden/);
  });

  it('rides out failed heartbeats with retries and keeps its slot', async () => {
    const { accountId, session } = setUp();
    recording = await recordTopic(observer, CACHE, HEARTBEATS);
    const failures: number[] = [];
    session.on('heartbeat-failed', ({ attempt }) => failures.push(attempt));
    emulator.faults.failNext('publish', 2);

    await session.start();
    await waitFor(
      () => (recording?.messages().filter((message) => message.tokenId === accountId).length ?? 0) >= 2,
      5_000,
      'heartbeats after the failures',
    );

    expect(failures).toEqual([1, 2]);
    expect(session.state).toBe('active');
  });

  it('listens again after its control stream is dropped, and after a failed first subscribe', async () => {
    const { session, tell, untilHeard } = setUp();
    recording = await recordTopic(observer, CACHE, HEARTBEATS);
    emulator.faults.failNext('subscribe', 1);
    await session.start();
    await untilHeard('after the failed subscribe'); // retried with backoff

    emulator.faults.dropSubscriptions();
    await untilHeard('after the drop'); // the SDK resubscribes after 500 ms; the long poll retries after its backoff
    expect(session.state).toBe('active');

    await tell('evicted', 'ended-by-account');
    await waitFor(() => session.state === 'evicted', 5_000, 'the eviction after the drop');
  });
});
