import * as z from 'zod/mini';
import { backoffDelay, type BackoffPolicy } from './backoff';
import { decodeControlMessage, describeIssues, encodeHeartbeat, type ControlMessage, type Refusal, type TokenGrant } from './contracts';
import { detachedTimeout, type CancelTimer } from './detached-timer';
import { DeviceSessionError } from './device-session-error';
import { browserPageLifecycle, watchPageExit, type PageLifecycle } from './page-exit';
import { SessionEvents } from './session-events';
import { requestTokenOutcome, type RequestToken, type TokenRequestBody } from './token-request';
import { asTopicTransportError, type TopicAddress, type TopicSubscription, type TopicTransport, type TopicTransportError } from './topic-transport';

/**
 * Where a device session is:
 * - `idle`: not started yet.
 * - `starting`: waiting for `POST /tokens`.
 * - `active`: admitted; heartbeating and listening on the control topic. A degraded admission
 *   (`grant.degraded`: the backend failed open while Momento was unreachable) is active without
 *   heartbeats, and asks for a real token again every heartbeat interval or so.
 * - `refused`: the account is at its limit (see `refusal.sessions` for "stop a device to continue").
 * - `evicted`: the backend ended this session (another device took the slot, or a DELETE), or it
 *   was replaced: another screen with the same `deviceId` took it over (`reason: 'replaced'`, told
 *   on the control topic, or seen when a refresh answers with another session).
 * - `expired`: the session ran past its maximum duration, or its token ran out before a refresh.
 * - `stopped`: stopped by `stop()` or by the page going away.
 * - `error`: a failure a retry cannot fix (see `error`).
 *
 * Every state but `starting` and `active` is at rest: `start()` begins a new session from it.
 */
export type DeviceSessionState = 'idle' | 'starting' | 'active' | 'refused' | 'evicted' | 'expired' | 'stopped' | 'error';

/** What `start()` resolves to. */
export type StartResult =
  | { readonly state: 'active'; readonly grant: TokenGrant }
  | { readonly state: 'refused'; readonly refusal: Refusal }
  | { readonly state: 'error'; readonly error: DeviceSessionError }
  | { readonly state: 'stopped' };

/** The events a player can listen to with `session.on(name, listener)`. */
export interface DeviceSessionEvents {
  /** Every state change. */
  state: { readonly state: DeviceSessionState; readonly previous: DeviceSessionState };
  /** Admitted: heartbeats start. */
  active: TokenGrant;
  /** At the limit: offer to stop one of `sessions`, then `start()` again. */
  refused: Refusal;
  /** The backend ended this session. */
  evicted: ControlMessage;
  /** The session expired: `reason` is the backend's, or `token-expired`. */
  expired: { readonly reason: string; readonly message?: ControlMessage };
  /** The account's limit changed (sent to every device of the account). */
  'limit-changed': ControlMessage;
  /** A heartbeat or stop message was published. */
  heartbeat: { readonly type: 'heartbeat' | 'stop'; readonly at: number };
  /** A heartbeat failed; the session retries it after `retryInMs`. */
  'heartbeat-failed': { readonly error: TopicTransportError; readonly attempt: number; readonly retryInMs: number };
  /** The token was refreshed. */
  'token-refreshed': TokenGrant;
  /** A token refresh failed or brought no newer token; the session retries it after `retryInMs`. */
  'refresh-failed': { readonly error: DeviceSessionError; readonly attempt: number; readonly retryInMs: number };
  /** The session moved to `error`. */
  error: DeviceSessionError;
}

/** Options of a `DeviceSession`. */
export interface DeviceSessionOptions {
  /** Stable id of this device; a device that reconnects with the same id keeps its lease. */
  readonly deviceId: string;
  /** The player's own call to `POST /tokens` (through its backend, which adds the account). */
  readonly requestToken: RequestToken;
  /** How to reach Momento topics: `createHttpTopicTransport()` in the browser, the SDK transport in Node. */
  readonly transport: TopicTransport;
  /** The title or room played, sent with token requests and heartbeats. @default - none */
  readonly contentId?: string;
  /** The stream kind (for example `camera`, `screen`), sent with token requests and heartbeats. @default - none */
  readonly kind?: string;
  /**
   * How long before `expiresAt` to refresh the token, in seconds.
   * @default - the larger of two heartbeat intervals and a fifth of the token's lifetime
   */
  readonly refreshBeforeExpirySeconds?: number;
  /** Backoff of heartbeat and refresh retries. @default - from 500 ms doubling up to one heartbeat interval */
  readonly retry?: Partial<BackoffPolicy>;
  /**
   * Where to watch for the page going away (the stop is then sent with `keepalive`).
   * `false` to not watch. @default - the page's `window` and `document` in a browser; nothing in Node
   */
  readonly pageLifecycle?: PageLifecycle | false;
  /**
   * Also stop as soon as the page is hidden (tab switched, phone locked), not only when it is left.
   * Off by default because a hidden tab may still be playing; without it a page a mobile browser
   * discards while hidden releases its slot when its lease runs out. @default false
   */
  readonly stopWhenHidden?: boolean;
  /** Source of jitter for retries (tests pass a fixed one). @default Math.random */
  readonly random?: () => number;
}

// The same identifier rules as the backend (lambda/core/identifiers.ts), so a bad id fails here
// with a clear message instead of as a 400 from POST /tokens.
const optionsSchema = z.object({
  deviceId: z.string().check(z.regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1 to 128 letters, digits or ._:-')),
  contentId: z.optional(z.string().check(z.regex(/^[A-Za-z0-9._:/@+=-]{1,256}$/, 'must be 1 to 256 letters, digits or ._:/@+=-'))),
  kind: z.optional(z.string().check(z.regex(/^[A-Za-z0-9._-]{1,32}$/, 'must be 1 to 32 letters, digits or ._-'))),
  refreshBeforeExpirySeconds: z.optional(z.number().check(z.positive())),
  retry: z.optional(
    z.object({
      initialMs: z.optional(z.number().check(z.positive())),
      maxMs: z.optional(z.number().check(z.positive())),
    }),
  ),
  stopWhenHidden: z.optional(z.boolean()),
});

const DEFAULT_RETRY_INITIAL_MS = 500;

/**
 * One device's concurrency session: admission through `POST /tokens`, heartbeats on the returned
 * interval, token refresh before expiry, reactions to the control topic, and a clean stop.
 */
export class DeviceSession {
  private readonly options: DeviceSessionOptions;
  private readonly events = new SessionEvents<DeviceSessionEvents>();
  private readonly page: PageLifecycle | undefined;
  private current: DeviceSessionState = 'idle';
  private currentGrant: TokenGrant | undefined;
  private lastRefusal: Refusal | undefined;
  private lastError: DeviceSessionError | undefined;
  /** Bumped when a session starts or ends, so late answers of an earlier one are dropped. */
  private epoch = 0;
  private starting: Promise<StartResult> | undefined;
  private stopRequested = false;
  private refreshing: Promise<void> | undefined;
  private control: TopicSubscription | undefined;
  private unwatchPage: (() => void) | undefined;
  private cancelBeat: CancelTimer | undefined;
  private cancelRefresh: CancelTimer | undefined;
  private cancelExpiry: CancelTimer | undefined;
  private beatInFlight = false;
  private beatFailures = 0;
  private refreshFailures = 0;
  /** Set when a rejected token has been refreshed once, so a second rejection is final. */
  private refreshedAfterRejection = false;

  constructor(options: DeviceSessionOptions) {
    const parsed = optionsSchema.safeParse(options);
    if (!parsed.success) throw new TypeError(`invalid DeviceSession options: ${describeIssues(parsed.error)}`);
    if (typeof options.requestToken !== 'function') throw new TypeError('invalid DeviceSession options: requestToken must be a function');
    const transport = options.transport as Partial<TopicTransport> | undefined;
    if (!transport || typeof transport.publish !== 'function' || typeof transport.subscribe !== 'function') {
      throw new TypeError('invalid DeviceSession options: transport must have publish() and subscribe()');
    }
    this.options = options;
    this.page = options.pageLifecycle === false ? undefined : options.pageLifecycle ?? browserPageLifecycle();
  }

  /** The current state. */
  get state(): DeviceSessionState {
    return this.current;
  }

  /** The current grant (token, topics, interval, expiry) while starting succeeded; undefined before. */
  get grant(): TokenGrant | undefined {
    return this.currentGrant;
  }

  /** The session id the backend assigned, once admitted. */
  get sessionId(): string | undefined {
    return this.currentGrant?.sessionId;
  }

  /** The last refusal (409), with the account's active sessions. */
  get refusal(): Refusal | undefined {
    return this.lastRefusal;
  }

  /** The error that put the session in `error`. */
  get error(): DeviceSessionError | undefined {
    return this.lastError;
  }

  /** Listens to an event; returns the function that removes the listener. */
  on<Name extends keyof DeviceSessionEvents>(name: Name, listener: (payload: DeviceSessionEvents[Name]) => void): () => void {
    return this.events.on(name, listener);
  }

  /** Removes a listener added with `on`. */
  off<Name extends keyof DeviceSessionEvents>(name: Name, listener: (payload: DeviceSessionEvents[Name]) => void): void {
    this.events.off(name, listener);
  }

  /**
   * Asks for admission and, when admitted, starts heartbeating. Resolves to the outcome; never
   * rejects. While starting it returns the same promise; while active, the current grant.
   */
  start(): Promise<StartResult> {
    if (this.starting) return this.starting;
    if (this.current === 'active' && this.currentGrant) return Promise.resolve({ state: 'active', grant: this.currentGrant });
    this.starting = this.runStart().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  /**
   * Ends the session: no heartbeat is sent after this is called, then a `stop` message releases the
   * slot at once (if it cannot be sent, the lease runs out by itself). Resolves when the stop has
   * been published or has failed.
   */
  async stop(): Promise<void> {
    if (this.current === 'starting') {
      this.stopRequested = true;
      await Promise.resolve(); // stop() from a 'starting' listener runs before start() has its promise
      await this.starting;
      return;
    }
    if (this.current !== 'active' || !this.currentGrant) return;
    const grant = this.currentGrant;
    // Timers and the subscription end first so that no heartbeat can follow the stop.
    this.end('stopped');
    if (!grant.degraded) await this.publishStop(grant); // a degraded session holds no slot
  }

  private async runStart(): Promise<StartResult> {
    const epoch = ++this.epoch;
    this.stopRequested = false;
    this.currentGrant = undefined;
    this.lastRefusal = undefined;
    this.lastError = undefined;
    this.setState('starting');
    const outcome = await requestTokenOutcome(this.options.requestToken, this.tokenRequestBody());
    if (epoch !== this.epoch) return { state: 'stopped' };
    switch (outcome.type) {
      case 'refused':
        this.refuse(outcome.refusal);
        return { state: 'refused', refusal: outcome.refusal };
      case 'failed':
        this.fail(outcome.error);
        return { state: 'error', error: outcome.error };
      case 'granted':
        break;
    }
    const grant = outcome.grant;
    this.currentGrant = grant;
    if (this.stopRequested) {
      // stop() came while the request was in flight: release the slot we were just given.
      this.end('stopped');
      await this.publishStop(grant);
      return { state: 'stopped' };
    }
    try {
      this.activate(grant, epoch);
      if (epoch !== this.epoch) return { state: 'stopped' }; // a listener stopped it on 'active'
    } catch (error) {
      const failure = new DeviceSessionError('control-failed', `could not listen on the control topic: ${messageOf(error)}`, {
        retryable: false,
        cause: error,
      });
      this.fail(failure);
      return { state: 'error', error: failure };
    }
    return { state: 'active', grant };
  }

  private activate(grant: TokenGrant, epoch: number): void {
    if (grant.degraded) {
      this.activateDegraded(grant, epoch);
      return;
    }
    this.beatFailures = 0;
    this.refreshFailures = 0;
    this.refreshedAfterRejection = false;
    this.control = this.subscribeControl(grant, epoch);
    this.watchPage(epoch);
    this.scheduleRefresh(grant, epoch);
    this.setState('active');
    this.events.emit('active', grant);
    if (epoch === this.epoch) void this.beat(epoch);
  }

  /**
   * Admitted uncounted, without a token: nothing to publish or listen to. Ask again (as a new
   * admission, since the backend kept no session) with backoff until a real token, a refusal
   * (counting works again and the account is full) or an error that a retry cannot fix.
   */
  private activateDegraded(grant: TokenGrant, epoch: number): void {
    if (this.current !== 'active') {
      this.refreshFailures = 0;
      this.watchPage(epoch);
      this.setState('active');
      this.events.emit('active', grant);
    }
    if (epoch !== this.epoch) return;
    this.refreshFailures += 1;
    const retryInMs = Math.max(this.intervalMs(), backoffDelay(this.retryPolicy(), this.refreshFailures, this.options.random));
    this.cancelRefresh?.();
    this.cancelRefresh = detachedTimeout(retryInMs, () => void this.leaveDegraded(epoch));
  }

  private async leaveDegraded(epoch: number): Promise<void> {
    this.cancelRefresh = undefined;
    if (epoch !== this.epoch) return;
    const outcome = await requestTokenOutcome(this.options.requestToken, this.tokenRequestBody());
    if (epoch !== this.epoch) return;
    if (outcome.type === 'refused') {
      this.refuse(outcome.refusal);
      return;
    }
    if (outcome.type === 'failed' && !outcome.error.retryable) {
      this.fail(outcome.error);
      return;
    }
    if (outcome.type === 'granted' && !outcome.grant.degraded) {
      this.unwatchPage?.();
      this.unwatchPage = undefined;
      this.currentGrant = outcome.grant;
      this.events.emit('token-refreshed', outcome.grant);
      this.activate(outcome.grant, epoch);
      return;
    }
    if (outcome.type === 'granted') this.currentGrant = outcome.grant;
    this.activateDegraded(this.currentGrant!, epoch);
  }

  private subscribeControl(grant: TokenGrant, epoch: number): TopicSubscription {
    return this.options.transport.subscribe(
      { token: grant.token, cacheName: grant.cacheName, topic: grant.controlTopic },
      {
        onMessage: (text) => this.onControlMessage(text, epoch),
        onError: (error) => this.onControlError(error, epoch),
      },
    );
  }

  private async beat(epoch: number): Promise<void> {
    this.cancelBeat = undefined;
    const grant = this.currentGrant;
    if (epoch !== this.epoch || !grant) return;
    this.beatInFlight = true;
    try {
      await this.options.transport.publish(this.heartbeatAddress(grant), this.heartbeatText('heartbeat', grant));
    } catch (thrown) {
      if (epoch !== this.epoch) return;
      this.onBeatFailure(asTopicTransportError(thrown), epoch);
      return;
    } finally {
      if (epoch === this.epoch) this.beatInFlight = false;
    }
    if (epoch !== this.epoch) return;
    this.beatFailures = 0;
    this.refreshedAfterRejection = false;
    this.events.emit('heartbeat', { type: 'heartbeat', at: Date.now() });
    this.scheduleBeat(this.intervalMs(), epoch);
  }

  private onBeatFailure(error: TopicTransportError, epoch: number): void {
    this.beatFailures += 1;
    if (error.kind === 'transient') {
      const retryInMs = backoffDelay(this.retryPolicy(), this.beatFailures, this.options.random);
      this.events.emit('heartbeat-failed', { error, attempt: this.beatFailures, retryInMs });
      this.scheduleBeat(retryInMs, epoch);
      return;
    }
    if (error.kind === 'unauthenticated' && !this.refreshedAfterRejection) {
      // The token was rejected (expired or revoked): heartbeats resume once a refresh answers.
      this.refreshedAfterRejection = true;
      this.events.emit('heartbeat-failed', { error, attempt: this.beatFailures, retryInMs: 0 });
      void this.refreshNow(epoch);
      return;
    }
    this.fail(
      new DeviceSessionError('heartbeat-failed', `the heartbeat topic refused this device (${error.kind}): ${error.message}`, {
        retryable: false,
        cause: error,
      }),
    );
  }

  private scheduleBeat(delayMs: number, epoch: number): void {
    this.cancelBeat?.();
    this.cancelBeat = detachedTimeout(delayMs, () => void this.beat(epoch));
  }

  private scheduleRefresh(grant: TokenGrant, epoch: number, delayMs?: number): void {
    const expiresAt = Date.parse(grant.expiresAt);
    const remainingMs = expiresAt - Date.now();
    const marginMs =
      this.options.refreshBeforeExpirySeconds !== undefined
        ? this.options.refreshBeforeExpirySeconds * 1000
        : Math.max(2 * grant.heartbeatIntervalSeconds * 1000, remainingMs / 5);
    this.cancelRefresh?.();
    this.cancelRefresh = detachedTimeout(delayMs ?? Math.max(0, remainingMs - marginMs), () => void this.refreshNow(epoch));
    this.cancelExpiry?.();
    this.cancelExpiry = detachedTimeout(remainingMs, () => {
      if (epoch !== this.epoch) return;
      this.end('expired');
      this.events.emit('expired', { reason: 'token-expired' });
    });
  }

  private refreshNow(epoch: number): Promise<void> {
    if (!this.refreshing) {
      this.refreshing = this.runRefresh(epoch).finally(() => {
        this.refreshing = undefined;
      });
    }
    return this.refreshing;
  }

  private async runRefresh(epoch: number): Promise<void> {
    this.cancelRefresh?.();
    this.cancelRefresh = undefined;
    const previous = this.currentGrant;
    if (epoch !== this.epoch || !previous) return;
    const outcome = await requestTokenOutcome(this.options.requestToken, {
      ...this.tokenRequestBody(),
      sessionId: previous.sessionId,
      ...(previous.sessionKey !== undefined && { sessionKey: previous.sessionKey }),
    });
    if (epoch !== this.epoch) return;
    if (outcome.type === 'refused') {
      this.refuse(outcome.refusal);
      return;
    }
    if (outcome.type === 'failed') {
      if (!outcome.error.retryable) {
        this.fail(outcome.error);
        return;
      }
      this.retryRefresh(outcome.error, previous, epoch);
      return;
    }
    const grant = outcome.grant;
    if (grant.sessionId !== previous.sessionId) {
      this.replaced(previous, grant);
      return;
    }
    this.currentGrant = grant;
    if (grant.cacheName !== previous.cacheName || grant.controlTopic !== previous.controlTopic) {
      this.control?.close();
      this.control = this.subscribeControl(grant, epoch);
    } else {
      this.control?.updateToken(grant.token);
    }
    if (!this.cancelBeat && !this.beatInFlight) this.scheduleBeat(0, epoch); // beats paused by a rejected token
    if (Date.parse(grant.expiresAt) <= Date.parse(previous.expiresAt)) {
      // The backend reuses tokens until close to their expiry: ask again later, not in a tight loop.
      const error = new DeviceSessionError('token-not-renewed', 'the refreshed token expires no later than the previous one', { retryable: true });
      this.retryRefresh(error, grant, epoch);
      return;
    }
    this.refreshFailures = 0;
    this.events.emit('token-refreshed', grant);
    this.scheduleRefresh(grant, epoch);
  }

  /**
   * A refresh came back with another session: the backend no longer counts this one for this device
   * (another screen with the same deviceId took it over, or its lease was lost). Playback stops as if
   * evicted; the session it was handed instead is released at once, never adopted silently.
   */
  private replaced(previous: TokenGrant, other: TokenGrant): void {
    this.end('evicted');
    this.events.emit('evicted', { v: 1, type: 'evicted', sessionId: previous.sessionId, reason: 'replaced' });
    if (!other.degraded) void this.publishStop(other);
  }

  private retryRefresh(error: DeviceSessionError, grant: TokenGrant, epoch: number): void {
    this.refreshFailures += 1;
    const retryInMs = backoffDelay(this.retryPolicy(), this.refreshFailures, this.options.random);
    this.events.emit('refresh-failed', { error, attempt: this.refreshFailures, retryInMs });
    this.scheduleRefresh(grant, epoch, retryInMs);
  }

  private onControlMessage(text: string, epoch: number): void {
    if (epoch !== this.epoch) return;
    const message = decodeControlMessage(text);
    if (!message) return; // not ours to judge: the control topic may carry newer message versions
    if (message.type === 'limit-changed') {
      this.events.emit('limit-changed', message);
      return;
    }
    if (message.sessionId !== this.currentGrant?.sessionId) return; // another device of the account
    if (message.type === 'evicted') {
      this.end('evicted');
      this.events.emit('evicted', message);
    } else {
      this.end('expired');
      this.events.emit('expired', { reason: message.reason, message });
    }
  }

  private onControlError(error: TopicTransportError, epoch: number): void {
    if (epoch !== this.epoch) return;
    if (error.kind === 'unauthenticated') {
      void this.refreshNow(epoch); // updateToken() with the new token resumes the subscription
      return;
    }
    this.fail(
      new DeviceSessionError('control-failed', `the control topic refused this device (${error.kind}): ${error.message}`, {
        retryable: false,
        cause: error,
      }),
    );
  }

  /** Stops the session when the page goes away (browser only). */
  private watchPage(epoch: number): void {
    if (this.page) this.unwatchPage = watchPageExit(this.page, () => this.onPageExit(epoch), this.options.stopWhenHidden ?? false);
  }

  private onPageExit(epoch: number): void {
    const grant = this.currentGrant;
    if (epoch !== this.epoch || this.current !== 'active' || !grant) return;
    this.end('stopped');
    if (grant.degraded) return; // a degraded session holds no slot
    const address = this.heartbeatAddress(grant);
    const text = this.heartbeatText('stop', grant);
    const { transport } = this.options;
    if (transport.publishOnExit) transport.publishOnExit(address, text);
    else void transport.publish(address, text).catch(() => undefined); // the lease runs out by itself
  }

  private async publishStop(grant: TokenGrant): Promise<void> {
    try {
      await this.options.transport.publish(this.heartbeatAddress(grant), this.heartbeatText('stop', grant));
      this.events.emit('heartbeat', { type: 'stop', at: Date.now() });
    } catch {
      // Not fatal: the lease runs out by itself within one lease duration.
    }
  }

  /** Moves to a state at rest: drops pending work of this session and releases its resources. */
  private end(state: 'refused' | 'evicted' | 'expired' | 'stopped' | 'error'): void {
    this.epoch += 1;
    this.beatInFlight = false;
    this.cancelBeat?.();
    this.cancelRefresh?.();
    this.cancelExpiry?.();
    this.cancelBeat = this.cancelRefresh = this.cancelExpiry = undefined;
    this.control?.close();
    this.control = undefined;
    this.unwatchPage?.();
    this.unwatchPage = undefined;
    this.setState(state);
  }

  private refuse(refusal: Refusal): void {
    this.lastRefusal = refusal;
    this.end('refused');
    this.events.emit('refused', refusal);
  }

  private fail(error: DeviceSessionError): void {
    this.lastError = error;
    this.end('error');
    this.events.emit('error', error);
  }

  private setState(state: DeviceSessionState): void {
    const previous = this.current;
    if (previous === state) return;
    this.current = state;
    this.events.emit('state', { state, previous });
  }

  private tokenRequestBody(): TokenRequestBody {
    const { deviceId, contentId, kind } = this.options;
    return { deviceId, ...(contentId !== undefined && { contentId }), ...(kind !== undefined && { kind }) };
  }

  private heartbeatAddress(grant: TokenGrant): TopicAddress {
    return { token: grant.token, cacheName: grant.cacheName, topic: grant.heartbeatTopic };
  }

  private heartbeatText(type: 'heartbeat' | 'stop', grant: TokenGrant): string {
    const { deviceId, contentId, kind } = this.options;
    return encodeHeartbeat({
      v: 1,
      type,
      sessionId: grant.sessionId,
      deviceId,
      sessionKey: grant.sessionKey ?? '',
      ...(contentId !== undefined && { contentId }),
      ...(kind !== undefined && { kind }),
    });
  }

  private intervalMs(): number {
    return (this.currentGrant?.heartbeatIntervalSeconds ?? 1) * 1000;
  }

  private retryPolicy(): BackoffPolicy {
    const maxMs = this.options.retry?.maxMs ?? this.intervalMs();
    return { initialMs: Math.min(this.options.retry?.initialMs ?? DEFAULT_RETRY_INITIAL_MS, maxMs), maxMs };
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
