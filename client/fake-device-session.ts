import type { ControlMessage, Refusal, TokenGrant } from './contracts';
import type { DeviceSessionEvents, DeviceSessionState, StartResult, TrackedSession } from './device-session-events';
import { DeviceSessionError } from './device-session-error';
import type { DeviceSessionErrorCode, EvictedReason, ExpiredReason, StoppedReason } from './reasons';
import { SessionEvents } from './session-events';
import { TopicTransportError } from './topic-transport';

/** How a `FakeDeviceSession` answers `start()`. */
export type FakeStartAnswer = 'admit' | 'refuse' | 'fail' | 'wait';

/** Options of a `FakeDeviceSession`. */
export interface FakeDeviceSessionOptions {
  /**
   * How `start()` answers: admitted, refused (409), failed (`error`), or `wait`: it stays
   * `starting` until the test calls `admit()`, `refuse()` or `fail()`. @default 'admit'
   */
  readonly onStart?: FakeStartAnswer;
  /** Fields of the grant an admission brings (see `fakeGrant`). @default - a grant for `fake-session-<n>` */
  readonly grant?: Partial<TokenGrant>;
  /** Fields of the refusal `refuse()` brings (see `fakeRefusal`). @default - two other devices */
  readonly refusal?: Partial<Refusal>;
}

let sessionCounter = 0;

/** A grant as `POST /tokens` answers it, for tests: one hour, a 5 s heartbeat, a 15 s lease. */
export function fakeGrant(overrides: Partial<TokenGrant> = {}): TokenGrant {
  sessionCounter += 1;
  return {
    token: `fake-token-${sessionCounter}`,
    sessionId: `fake-session-${sessionCounter}`,
    sessionKey: `fake-key-${sessionCounter}`,
    cacheName: 'fake-cache',
    heartbeatTopic: 'heartbeats',
    controlTopic: 'control-fake-account',
    heartbeatIntervalSeconds: 5,
    leaseSeconds: 15,
    expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    limit: 2,
    active: 1,
    ...overrides,
  };
}

/** A 409 refusal as `POST /tokens` answers it, for tests: the account plays on two other devices. */
export function fakeRefusal(overrides: Partial<Refusal> = {}): Refusal {
  return {
    error: 'limit-reached',
    message: 'This account is already playing on 2 devices',
    sessions: [
      {
        sessionId: 'other-session-1',
        deviceId: 'living-room-tv',
        deviceName: 'Living-room TV',
        startedAt: new Date(Date.now() - 600_000).toISOString(),
      },
      { sessionId: 'other-session-2', deviceId: 'tablet', startedAt: new Date(Date.now() - 300_000).toISOString() },
    ],
    limit: 2,
    ...overrides,
  };
}

/**
 * A stand-in for `DeviceSession` in a player's own unit tests: the same API (`TrackedSession`),
 * the same events with the same payloads in the same order, and no backend or network. The test
 * drives it: `admit()`, `refuse()`, `fail()`, `evict()`, `expire()`, `changeLimit()`,
 * `loseConnection()`/`restoreConnection()`, `leavePage()`. `startCalls` and `stopCalls` count what
 * the code under test asked for. test/client/fake-device-session.test.ts checks it against the real
 * session, event for event.
 */
export class FakeDeviceSession implements TrackedSession {
  /** How many times `start()` was called. */
  startCalls = 0;
  /** How many times `stop()` was called. */
  stopCalls = 0;
  /** How the next `start()` answers (from `onStart`; a test may change it between starts). */
  startAnswer: FakeStartAnswer;
  private readonly events = new SessionEvents<DeviceSessionEvents>();
  private readonly options: FakeDeviceSessionOptions;
  private current: DeviceSessionState = 'idle';
  private currentGrant: TokenGrant | undefined;
  private lastRefusal: Refusal | undefined;
  private lastError: DeviceSessionError | undefined;
  private stoppedBy: StoppedReason | undefined;
  private pending: { promise: Promise<StartResult>; resolve: (result: StartResult) => void } | undefined;
  private down: { since: number; attempts: number } | undefined;
  private lastBeatAt: number | undefined;

  constructor(options: FakeDeviceSessionOptions = {}) {
    this.options = options;
    this.startAnswer = options.onStart ?? 'admit';
  }

  get state(): DeviceSessionState {
    return this.current;
  }

  get grant(): TokenGrant | undefined {
    return this.currentGrant;
  }

  get sessionId(): string | undefined {
    return this.currentGrant?.sessionId;
  }

  get refusal(): Refusal | undefined {
    return this.lastRefusal;
  }

  get error(): DeviceSessionError | undefined {
    return this.lastError;
  }

  get stoppedReason(): StoppedReason | undefined {
    return this.current === 'stopped' ? this.stoppedBy : undefined;
  }

  on<Name extends keyof DeviceSessionEvents>(
    name: Name,
    listener: (payload: DeviceSessionEvents[Name]) => void,
  ): () => void {
    return this.events.on(name, listener);
  }

  off<Name extends keyof DeviceSessionEvents>(
    name: Name,
    listener: (payload: DeviceSessionEvents[Name]) => void,
  ): void {
    this.events.off(name, listener);
  }

  /** As `DeviceSession.start()`: `starting` at once, then the answer chosen by `onStart` (a microtask later). */
  start(): Promise<StartResult> {
    this.startCalls += 1;
    if (this.pending) return this.pending.promise;
    if (this.current === 'active' && this.currentGrant)
      return Promise.resolve({ state: 'active', grant: this.currentGrant });
    let resolve!: (result: StartResult) => void;
    const promise = new Promise<StartResult>((done) => (resolve = done));
    this.pending = { promise, resolve };
    this.currentGrant = undefined;
    this.lastBeatAt = undefined;
    this.lastRefusal = undefined;
    this.lastError = undefined;
    this.setState('starting');
    const answer = this.startAnswer;
    if (answer !== 'wait') {
      void Promise.resolve().then(() => {
        if (answer === 'admit') this.admit();
        else if (answer === 'refuse') this.refuse();
        else this.fail();
      });
    }
    return promise;
  }

  /** As `DeviceSession.stop()`: `stopped` (`user`), then the stop message (a `heartbeat` event of type `stop`). */
  async stop(): Promise<void> {
    this.stopCalls += 1;
    if (this.current === 'starting') {
      this.endStopped('user');
      this.settle({ state: 'stopped' });
      return;
    }
    if (this.current !== 'active') return;
    const degraded = this.currentGrant?.degraded === true;
    this.endStopped('user');
    await Promise.resolve();
    if (!degraded) this.events.emit('heartbeat', { type: 'stop', at: Date.now() });
  }

  /** Answers a pending `start()` with an admission: `active`, then the first heartbeat. */
  admit(grant: Partial<TokenGrant> = {}): TokenGrant {
    this.expectState('admit()', 'starting');
    const admitted = fakeGrant({ ...this.options.grant, ...grant });
    this.currentGrant = admitted;
    this.setState('active');
    this.events.emit('active', admitted);
    this.settle({ state: 'active', grant: admitted });
    if (this.current === 'active' && !admitted.degraded) this.beat();
    return admitted;
  }

  /** Answers a pending `start()` with a 409, or refuses an active session (a refresh answered 409). */
  refuse(refusal: Partial<Refusal> = {}): Refusal {
    this.expectState('refuse()', 'starting', 'active');
    const answer = fakeRefusal({ ...this.options.refusal, ...refusal });
    const admitted = this.holdsSlot();
    this.lastRefusal = answer;
    this.setState('refused');
    this.events.emit('refused', answer);
    this.settle({ state: 'refused', refusal: answer });
    if (admitted) this.sendStopLater();
    return answer;
  }

  /** Ends a pending `start()` or an active session in `error`. @default code 'momento-unavailable', retryable */
  fail(
    code: DeviceSessionErrorCode | (string & {}) = 'momento-unavailable',
    options: { retryable?: boolean; status?: number } = {},
  ): DeviceSessionError {
    this.expectState('fail()', 'starting', 'active');
    const error = new DeviceSessionError(code, `fake failure: ${code}`, {
      retryable: options.retryable ?? code === 'momento-unavailable',
      ...(options.status !== undefined && { status: options.status }),
    });
    const admitted = this.holdsSlot();
    this.lastError = error;
    this.setState('error');
    this.events.emit('error', error);
    this.settle({ state: 'error', error });
    if (admitted) this.sendStopLater();
    return error;
  }

  /** The control topic says this session was evicted. @default reason 'evicted-by-newer-session' */
  evict(reason: EvictedReason | (string & {}) = 'evicted-by-newer-session'): ControlMessage {
    const message = this.controlMessage('evicted', reason);
    this.setState('evicted');
    this.events.emit('evicted', message);
    return message;
  }

  /**
   * The session expired: a backend reason (`lease-expired`, `lease-lost`, `max-duration`) comes with
   * its control message, a client one (`token-expired`, `connection-lost`) without. @default reason 'lease-expired'
   */
  expire(reason: ExpiredReason | (string & {}) = 'lease-expired'): void {
    const fromClient = reason === 'token-expired' || reason === 'connection-lost';
    this.expectState('expire()', 'active');
    const message = fromClient ? undefined : this.controlMessage('expired', reason);
    const admitted = this.holdsSlot();
    this.setState('expired');
    this.events.emit('expired', { reason, ...(message && { message }) });
    if (reason === 'connection-lost' && admitted) this.sendStopLater(); // as the real session: the slot may still be held
  }

  /** A `limit-changed` message on the control topic (the session goes on). */
  changeLimit(reason = 'limit-changed'): ControlMessage {
    const message: ControlMessage = {
      v: 1,
      type: 'limit-changed',
      sessionId: this.currentGrant?.sessionId ?? '',
      reason,
    };
    this.events.emit('limit-changed', message);
    return message;
  }

  /** A heartbeat got through (`heartbeat` event). */
  beat(): void {
    this.expectState('beat()', 'active');
    if (this.down) this.restoreConnection();
    else this.heartbeatThrough();
  }

  /** A heartbeat failed for a transient reason: `reconnecting` (the first time), then `heartbeat-failed`. */
  loseConnection(error = new TopicTransportError('transient', 'fake network failure')): void {
    this.expectState('loseConnection()', 'active');
    if (!this.down) {
      this.down = { since: Date.now(), attempts: 0 };
      this.events.emit('reconnecting', {
        error,
        ...(this.lastBeatAt !== undefined && { lastHeartbeatAt: this.lastBeatAt }),
      });
    }
    this.down.attempts += 1;
    this.events.emit('heartbeat-failed', { error, attempt: this.down.attempts, retryInMs: 500 });
  }

  /** Heartbeats get through again: `heartbeat`, then `reconnected`. */
  restoreConnection(): void {
    this.expectState('restoreConnection()', 'active');
    const down = this.down;
    this.down = undefined;
    const at = this.heartbeatThrough();
    if (down) this.events.emit('reconnected', { downMs: at - down.since, failedAttempts: down.attempts });
  }

  /** The token was refreshed (`token-refreshed`, with a later expiry). */
  refreshToken(): TokenGrant {
    this.expectState('refreshToken()', 'active');
    const previous = this.currentGrant as TokenGrant;
    const grant: TokenGrant = {
      ...previous,
      token: `${previous.token}-refreshed`,
      expiresAt: new Date(Date.parse(previous.expiresAt) + 3_600_000).toISOString(),
    };
    this.currentGrant = grant;
    this.events.emit('token-refreshed', grant);
    return grant;
  }

  /** The page was hidden (with `stopWhenHidden`) or left: `stopped` with that reason. */
  leavePage(how: 'page-hidden' | 'page-left' = 'page-left'): void {
    this.expectState('leavePage()', 'active');
    this.endStopped(how);
  }

  private heartbeatThrough(): number {
    this.lastBeatAt = Date.now();
    this.events.emit('heartbeat', { type: 'heartbeat', at: this.lastBeatAt });
    return this.lastBeatAt;
  }

  /** An admitted session that holds a slot (a degraded one does not). */
  private holdsSlot(): boolean {
    return this.current === 'active' && this.currentGrant?.degraded !== true;
  }

  /** The stop message a session sends after ending while admitted, a moment later (as a publish is). */
  private sendStopLater(): void {
    void Promise.resolve().then(() => this.events.emit('heartbeat', { type: 'stop', at: Date.now() }));
  }

  private controlMessage(type: 'evicted' | 'expired', reason: string): ControlMessage {
    this.expectState(`${type === 'evicted' ? 'evict' : 'expire'}()`, 'active');
    return { v: 1, type, sessionId: (this.currentGrant as TokenGrant).sessionId, reason };
  }

  private endStopped(reason: StoppedReason): void {
    this.stoppedBy = reason;
    this.setState('stopped');
    this.events.emit('stopped', { reason });
  }

  private settle(result: StartResult): void {
    const pending = this.pending;
    this.pending = undefined;
    pending?.resolve(result);
  }

  private setState(state: DeviceSessionState): void {
    const previous = this.current;
    if (state !== 'active') this.down = undefined;
    if (previous === state) return;
    this.current = state;
    this.events.emit('state', { state, previous });
  }

  /** The fake refuses what the real session could not do, so a test cannot script an impossible story. */
  private expectState(action: string, ...states: DeviceSessionState[]): void {
    if (!states.includes(this.current))
      throw new Error(`FakeDeviceSession: ${action} needs the session ${states.join(' or ')}, it is ${this.current}`);
  }
}
