import * as z from 'zod/mini';
import { backoffDelay, retryDelay, type BackoffPolicy, type RetryPolicy } from './backoff';
import { contentIdSchema, decodeControlMessage, describeIssues, deviceIdSchema, deviceNameSchema, encodeHeartbeat, kindSchema, type ControlMessage, type Refusal, type TokenGrant } from './contracts';
import { detachedTimeout, type CancelTimer } from './detached-timer';
import { DeviceSessionError } from './device-session-error';
import { browserPageLifecycle, watchPageExit, watchPageVisible, type PageExit, type PageLifecycle } from './page-exit';
import type { EvictedReason, ExpiredReason, StoppedReason } from './reasons';
import { SessionEvents } from './session-events';
import { requestTokenOutcome, type RequestToken, type TokenOutcome, type TokenRequestBody } from './token-request';
import { asTopicTransportError, type TopicAddress, type TopicSubscription, type TopicTransport, type TopicTransportError } from './topic-transport';
import { errorMessage } from './error-message';

/**
 * Where a device session is:
 * - `idle`: not started yet.
 * - `starting`: waiting for `POST /tokens`.
 * - `active`: admitted; heartbeating and listening on the control topic. A degraded admission
 *   (`grant.degraded`: the backend failed open while Momento was unreachable) is active without
 *   heartbeats, and asks for a real token again every heartbeat interval or so.
 * - `refused`: the account is at its limit (see `refusal.sessions` for "stop a device to continue").
 * - `evicted`: the backend gave the slot to someone else: a newer device (`evicted-by-newer-session`),
 *   the account (`ended-by-account`, a DELETE), or another screen with the same `deviceId`
 *   (`replaced`, told on the control topic, or seen when a refresh answers with another session).
 * - `expired`: the session's time ran out: its lease (`lease-expired`, `lease-lost`), its maximum
 *   duration (`max-duration`), its token (`token-expired`), or no heartbeat got through for longer
 *   than the lease (`connection-lost`).
 * - `stopped`: stopped by `stop()` or by the page going away (see `stoppedReason`).
 * - `error`: the session cannot go on and retrying it as it is will not help: a configuration
 *   error, a refused token, an answer outside the contract, or a failed start (see `error`; with
 *   `error.retryable`, a later `start()` may succeed).
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

/** What a failed attempt reports before it is retried. */
export interface RetryEvent<Failure> {
  readonly error: Failure;
  /** 1 for the first failure of a run. */
  readonly attempt: number;
  /** When the next attempt comes, in ms. */
  readonly retryInMs: number;
}

/** The events a player can listen to with `session.on(name, listener)`. */
export interface DeviceSessionEvents {
  /** Every state change. */
  state: { readonly state: DeviceSessionState; readonly previous: DeviceSessionState };
  /** Admitted: heartbeats start. */
  active: TokenGrant;
  /** At the limit: offer to stop one of `sessions`, then `start()` again. */
  refused: Refusal;
  /** The backend gave this session's slot to someone else: `reason` is an `EvictedReason`. */
  evicted: ControlMessage & { readonly reason: EvictedReason | (string & {}) };
  /** The session's time ran out: `message` is the control message, when the backend sent one. */
  expired: { readonly reason: ExpiredReason | (string & {}); readonly message?: ControlMessage };
  /** The session stopped: `stop()` (`user`), or the page was hidden (`page-hidden`) or left (`page-left`). */
  stopped: { readonly reason: StoppedReason };
  /** `start()` failed with a retryable error and tries again after `retryInMs` (only with `startRetry`). */
  'start-failed': RetryEvent<DeviceSessionError>;
  /** A heartbeat failed for a transient reason after the last one got through: the session is reconnecting. */
  reconnecting: { readonly error: TopicTransportError; readonly lastHeartbeatAt?: number };
  /** A heartbeat got through again after `failedAttempts` failures over `downMs`. */
  reconnected: { readonly downMs: number; readonly failedAttempts: number };
  /** The account's limit changed (sent to every device of the account). */
  'limit-changed': ControlMessage;
  /** A heartbeat or stop message was published. */
  heartbeat: { readonly type: 'heartbeat' | 'stop'; readonly at: number };
  /** A heartbeat failed; the session retries it after `retryInMs`. */
  'heartbeat-failed': { readonly error: TopicTransportError; readonly attempt: number; readonly retryInMs: number };
  /** The token was refreshed. */
  'token-refreshed': TokenGrant;
  /**
   * A token refresh failed or brought no newer token; the session retries it after `retryInMs`, or,
   * with `retryInMs` undefined, not at all (the refresh budget is spent: the session ends when its
   * token or lease runs out).
   */
  'refresh-failed': { readonly error: DeviceSessionError; readonly attempt: number; readonly retryInMs: number | undefined };
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
  /**
   * A name the viewer gave this device ("Living-room TV"), sent with token requests and shown to the
   * account's other devices in a refusal's `sessions`, so they can say which one to stop. Display
   * only: it proves nothing and acts on nothing. @default - none
   */
  readonly deviceName?: string;
  /** The title or room played, sent with token requests and heartbeats. @default - none */
  readonly contentId?: string;
  /** The stream kind (for example `camera`, `screen`), sent with token requests and heartbeats. @default - none */
  readonly kind?: string;
  /**
   * How long before `expiresAt` to refresh the token, in seconds.
   * @default - the larger of two heartbeat intervals and a fifth of the token's lifetime
   */
  readonly refreshBeforeExpirySeconds?: number;
  /** Backoff of heartbeat retries. @default - from 500 ms doubling up to one heartbeat interval */
  readonly retry?: Partial<BackoffPolicy>;
  /**
   * Retries of `start()` on a retryable failure (network, 408, 429, 5xx), honouring `Retry-After`.
   * Opt-in: without it a failed start ends in `error` at once (`error.retryable` says whether to
   * offer "try again"). `start-failed` is emitted before each retry.
   * @default - no retry
   */
  readonly startRetry?: Partial<RetryPolicy>;
  /**
   * Retries of a token refresh: backoff with jitter, capped, at most `maxAttempts` in a row (the
   * budget), never sooner than the answer's `Retry-After`, and never planned past the token's expiry.
   * @default - from 1 s doubling up to 60 s, at most 10 retries
   */
  readonly refreshRetry?: Partial<RetryPolicy>;
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
  /**
   * With `stopWhenHidden`: start a new session when the page is visible again after a stop for
   * `page-hidden` (the same `start()` a player would call: it may be refused if another device took
   * the slot meanwhile). Without it the session stays `stopped`; call `start()` yourself. @default false
   */
  readonly resumeWhenVisible?: boolean;
  /** Source of jitter for retries (tests pass a fixed one). @default Math.random */
  readonly random?: () => number;
}

// The same identifier rules as the backend (contract/identifiers.ts), so a bad id fails here
// with a clear message instead of as a 400 from POST /tokens.
const optionsSchema = z.object({
  deviceId: deviceIdSchema,
  deviceName: z.optional(deviceNameSchema),
  contentId: z.optional(contentIdSchema),
  kind: z.optional(kindSchema),
  refreshBeforeExpirySeconds: z.optional(z.number().check(z.positive())),
  retry: z.optional(backoffSchema()),
  startRetry: z.optional(retrySchema()),
  refreshRetry: z.optional(retrySchema()),
  stopWhenHidden: z.optional(z.boolean()),
  resumeWhenVisible: z.optional(z.boolean()),
});

function backoffSchema() {
  return z.object({
    initialMs: z.optional(z.number().check(z.positive())),
    maxMs: z.optional(z.number().check(z.positive())),
  });
}

function retrySchema() {
  return z.object({
    initialMs: z.optional(z.number().check(z.positive())),
    maxMs: z.optional(z.number().check(z.positive())),
    maxAttempts: z.optional(z.int().check(z.nonnegative())),
  });
}

const DEFAULT_RETRY_INITIAL_MS = 500;
const DEFAULT_START_RETRY: RetryPolicy = { initialMs: 500, maxMs: 10_000, maxAttempts: 3 };
const DEFAULT_REFRESH_RETRY: RetryPolicy = { initialMs: 1_000, maxMs: 60_000, maxAttempts: 10 };
/** How long before the token's expiry a backoff retry of the refresh is brought forward to. */
const LAST_REFRESH_BEFORE_EXPIRY_MS = 1_000;

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
  private cancelLease: CancelTimer | undefined;
  private unwatchResume: (() => void) | undefined;
  private wakeStart: (() => void) | undefined;
  private stoppedBy: StoppedReason | undefined;
  /** Heartbeats of this session that got through. */
  private beatsDelivered = 0;
  private lastBeatAt: number | undefined;
  /** When the current run of transient heartbeat failures began (undefined: connected). */
  private downSince: number | undefined;
  private lastBeatError: TopicTransportError | undefined;
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

  /** Why the session is `stopped` (undefined in any other state). */
  get stoppedReason(): StoppedReason | undefined {
    return this.current === 'stopped' ? this.stoppedBy : undefined;
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
    this.unwatchResume?.(); // a stop by the viewer is not undone by the page coming back
    this.unwatchResume = undefined;
    if (this.current === 'starting') {
      this.stopRequested = true;
      this.wakeStart?.();
      await Promise.resolve(); // stop() from a 'starting' listener runs before start() has its promise
      await this.starting;
      return;
    }
    if (this.current !== 'active' || !this.currentGrant) return;
    const grant = this.currentGrant;
    // Timers and the subscription end first so that no heartbeat can follow the stop.
    this.endStopped('user');
    if (!grant.degraded) await this.publishStop(grant); // a degraded session holds no slot
  }

  private async runStart(): Promise<StartResult> {
    const epoch = ++this.epoch;
    this.stopRequested = false;
    this.currentGrant = undefined;
    this.lastRefusal = undefined;
    this.lastError = undefined;
    this.unwatchResume?.();
    this.unwatchResume = undefined;
    this.setState('starting');
    let requestedAt = Date.now();
    let outcome: TokenOutcome = await requestTokenOutcome(this.options.requestToken, this.tokenRequestBody());
    for (let attempt = 1; ; attempt += 1) {
      if (epoch !== this.epoch) return { state: 'stopped' };
      const policy = this.startRetryPolicy();
      if (!policy || outcome.type !== 'failed' || !outcome.error.retryable || attempt > policy.maxAttempts || this.stopRequested) break;
      const retryInMs = retryDelay(policy, attempt, this.options.random, outcome.error.retryAfterMs);
      this.events.emit('start-failed', { error: outcome.error, attempt, retryInMs });
      await this.waitToRetryStart(retryInMs);
      if (epoch !== this.epoch) return { state: 'stopped' };
      if (this.stopRequested) {
        this.endStopped('user');
        return { state: 'stopped' };
      }
      requestedAt = Date.now();
      outcome = await requestTokenOutcome(this.options.requestToken, this.tokenRequestBody());
    }
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
      this.endStopped('user');
      await this.publishStop(grant);
      return { state: 'stopped' };
    }
    try {
      this.activate(grant, epoch, requestedAt);
      if (epoch !== this.epoch) return { state: 'stopped' }; // a listener stopped it on 'active'
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code === 'invalid-url' ? 'invalid-url' : 'control-failed';
      const failure = new DeviceSessionError(code, `could not listen on the control topic: ${errorMessage(error)}`, {
        retryable: false,
        cause: error,
      });
      this.fail(failure);
      return { state: 'error', error: failure };
    }
    return { state: 'active', grant };
  }

  /**
   * Waits `delayMs` before the next start attempt, or less if `stop()` is called. A plain timer:
   * a Node process awaiting `start()` stays alive for it.
   */
  private waitToRetryStart(delayMs: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(handle);
        this.wakeStart = undefined;
        resolve();
      };
      const handle = setTimeout(wake, delayMs);
      this.wakeStart = wake;
    });
  }

  /**
   * `requestedAt`: when the admission was asked for. The backend's lease began after it, so the
   * lease watchdog counts from there.
   */
  private activate(grant: TokenGrant, epoch: number, requestedAt: number): void {
    if (grant.degraded) {
      this.activateDegraded(grant, epoch);
      return;
    }
    this.beatFailures = 0;
    this.refreshFailures = 0;
    this.refreshedAfterRejection = false;
    this.beatsDelivered = 0;
    this.lastBeatAt = undefined;
    this.downSince = undefined;
    this.lastBeatError = undefined;
    this.control = this.subscribeControl(grant, epoch);
    this.watchPage(epoch);
    this.scheduleRefresh(grant, epoch);
    this.armLease(requestedAt, epoch);
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
    const requestedAt = Date.now();
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
      this.activate(outcome.grant, epoch, requestedAt);
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
    const sentAt = Date.now();
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
    const failedAttempts = this.beatFailures;
    this.beatFailures = 0;
    this.refreshedAfterRejection = false;
    this.beatsDelivered += 1;
    this.lastBeatAt = Date.now();
    this.armLease(sentAt, epoch); // the backend renewed the lease after this heartbeat was sent
    this.events.emit('heartbeat', { type: 'heartbeat', at: this.lastBeatAt });
    this.scheduleBeat(this.intervalMs(), epoch);
    if (this.downSince !== undefined && epoch === this.epoch) {
      const downMs = this.lastBeatAt - this.downSince;
      this.downSince = undefined;
      this.events.emit('reconnected', { downMs, failedAttempts });
      // The lease may have run out while heartbeats were away, and the control poll may be far into
      // its own backoff: ask now (a refresh with sessionId and sessionKey) whether the session lives.
      if (failedAttempts >= 2 && epoch === this.epoch) void this.refreshNow(epoch, true);
    }
  }

  /**
   * Ends the session once no heartbeat has got through for longer than the lease since `base`
   * (the send time of the last heartbeat that got through, or of the admission or refresh): by then
   * the backend has freed the slot and may have given it to another device.
   */
  private armLease(base: number, epoch: number): void {
    const leaseSeconds = this.currentGrant?.leaseSeconds;
    if (leaseSeconds === undefined || this.currentGrant?.degraded) return; // an older backend: the control topic tells
    this.cancelLease?.();
    this.cancelLease = detachedTimeout(base + leaseSeconds * 1000 - Date.now(), () => this.onLeaseLost(epoch, leaseSeconds));
  }

  private onLeaseLost(epoch: number, leaseSeconds: number): void {
    this.cancelLease = undefined;
    if (epoch !== this.epoch) return;
    if (this.beatsDelivered === 0) {
      // Not one heartbeat got through while the token route did: the topics API's host is blocked
      // (CSP, ad blocker, DNS) or misconfigured. Retrying would fail the same way.
      const detail = this.lastBeatError ? `: ${this.lastBeatError.message}` : '';
      this.fail(
        new DeviceSessionError('heartbeat-unreachable', `no heartbeat reached the topics API within the lease (${leaseSeconds} s)${detail}`, {
          retryable: false,
          cause: this.lastBeatError,
        }),
      );
      return;
    }
    this.expire('connection-lost');
  }

  /** Ends in `expired` for a reason of the client's own, and releases the slot if it is still held. */
  private expire(reason: 'connection-lost' | 'token-expired'): void {
    const grant = this.currentGrant;
    this.end('expired');
    this.events.emit('expired', { reason });
    // Best effort: a heartbeat may have got through unseen, so the slot may still be ours. (An
    // expired token could not publish the stop.)
    if (reason === 'connection-lost' && grant && !grant.degraded) void this.publishStop(grant);
  }

  private onBeatFailure(error: TopicTransportError, epoch: number): void {
    this.beatFailures += 1;
    this.lastBeatError = error;
    if (error.kind === 'transient') {
      const retryInMs = backoffDelay(this.retryPolicy(), this.beatFailures, this.options.random);
      if (this.downSince === undefined) {
        this.downSince = Date.now();
        this.events.emit('reconnecting', { error, ...(this.lastBeatAt !== undefined && { lastHeartbeatAt: this.lastBeatAt }) });
        if (epoch !== this.epoch) return;
      }
      this.events.emit('heartbeat-failed', { error, attempt: this.beatFailures, retryInMs });
      if (epoch === this.epoch) this.scheduleBeat(retryInMs, epoch);
      return;
    }
    if (error.kind === 'unauthenticated' && !this.refreshedAfterRejection) {
      // The token was rejected (expired or revoked): heartbeats resume once a refresh answers.
      this.refreshedAfterRejection = true;
      this.events.emit('heartbeat-failed', { error, attempt: this.beatFailures, retryInMs: 0 });
      void this.refreshNow(epoch);
      return;
    }
    const code = error.code === 'invalid-url' ? 'invalid-url' : 'heartbeat-failed';
    this.fail(
      new DeviceSessionError(code, `the heartbeat topic refused this device (${error.kind}): ${error.message}`, {
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
      this.expire('token-expired');
    });
  }

  /** `check`: asked after heartbeats came back, to learn at once whether the session still lives. */
  private refreshNow(epoch: number, check = false): Promise<void> {
    if (!this.refreshing) {
      this.refreshing = this.runRefresh(epoch, check).finally(() => {
        this.refreshing = undefined;
      });
    }
    return this.refreshing;
  }

  private async runRefresh(epoch: number, check: boolean): Promise<void> {
    this.cancelRefresh?.();
    this.cancelRefresh = undefined;
    const previous = this.currentGrant;
    if (epoch !== this.epoch || !previous) return;
    const requestedAt = Date.now();
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
      if (check) this.lostWhileAway(grant);
      else this.replaced(previous, grant);
      return;
    }
    this.currentGrant = grant;
    this.armLease(requestedAt, epoch); // a refresh renews the lease too
    if (grant.cacheName !== previous.cacheName || grant.controlTopic !== previous.controlTopic) {
      this.control?.close();
      this.control = this.subscribeControl(grant, epoch);
    } else {
      this.control?.updateToken(grant.token);
    }
    if (!this.cancelBeat && !this.beatInFlight) this.scheduleBeat(0, epoch); // beats paused by a rejected token
    if (Date.parse(grant.expiresAt) <= Date.parse(previous.expiresAt)) {
      if (check) {
        // The session lives and its token is still the current one: carry on as planned.
        this.scheduleRefresh(grant, epoch);
        return;
      }
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

  /**
   * The session check after a run of heartbeat failures answered with another session: this one
   * was lost while the connection was down (its lease ran out). It ends `expired`
   * (`connection-lost`); the session it was handed is released at once, never adopted silently.
   */
  private lostWhileAway(other: TokenGrant): void {
    this.end('expired');
    this.events.emit('expired', { reason: 'connection-lost' });
    if (!other.degraded) void this.publishStop(other);
  }

  /** Refresh retries: their own policy (jitter, cap, budget, `Retry-After`), never past the token's expiry. */
  private retryRefresh(error: DeviceSessionError, grant: TokenGrant, epoch: number): void {
    this.refreshFailures += 1;
    const policy = this.refreshRetryPolicy();
    if (this.refreshFailures > policy.maxAttempts) {
      // Budget spent: no more calls; the session ends when the token (or the lease) runs out.
      this.cancelRefresh?.();
      this.cancelRefresh = undefined;
      this.events.emit('refresh-failed', { error, attempt: this.refreshFailures, retryInMs: undefined });
      return;
    }
    const untilLastChanceMs = Math.max(0, Date.parse(grant.expiresAt) - Date.now() - LAST_REFRESH_BEFORE_EXPIRY_MS);
    const retryInMs = Math.max(Math.min(backoffDelay(policy, this.refreshFailures, this.options.random), untilLastChanceMs), error.retryAfterMs ?? 0);
    this.events.emit('refresh-failed', { error, attempt: this.refreshFailures, retryInMs });
    if (epoch === this.epoch) this.scheduleRefresh(grant, epoch, retryInMs);
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
    if (this.page) this.unwatchPage = watchPageExit(this.page, (how) => this.onPageExit(epoch, how), this.options.stopWhenHidden ?? false);
  }

  private onPageExit(epoch: number, how: PageExit): void {
    const grant = this.currentGrant;
    if (epoch !== this.epoch || this.current !== 'active' || !grant) return;
    this.endStopped(how === 'hidden' ? 'page-hidden' : 'page-left');
    if (how === 'hidden' && this.options.resumeWhenVisible && this.page && this.state === 'stopped') {
      this.unwatchResume = watchPageVisible(this.page, () => {
        this.unwatchResume = undefined;
        if (this.current === 'stopped' && this.stoppedBy === 'page-hidden') void this.start();
      });
    }
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
    this.cancelLease?.();
    this.cancelBeat = this.cancelRefresh = this.cancelExpiry = this.cancelLease = undefined;
    this.downSince = undefined;
    this.control?.close();
    this.control = undefined;
    this.unwatchPage?.();
    this.unwatchPage = undefined;
    this.setState(state);
  }

  private endStopped(reason: StoppedReason): void {
    this.stoppedBy = reason;
    this.end('stopped');
    this.events.emit('stopped', { reason });
  }

  /**
   * A refusal or an error after admission releases the slot at once (a stop message, best effort)
   * instead of leaving it held until the lease runs out.
   */
  private refuse(refusal: Refusal): void {
    const admitted = this.admittedGrant();
    this.lastRefusal = refusal;
    this.end('refused');
    this.events.emit('refused', refusal);
    if (admitted) void this.publishStop(admitted);
  }

  private fail(error: DeviceSessionError): void {
    const admitted = this.admittedGrant();
    this.lastError = error;
    this.end('error');
    this.events.emit('error', error);
    if (admitted) void this.publishStop(admitted);
  }

  /** The grant of a session the backend admitted and that has not ended yet (a degraded one holds no slot). */
  private admittedGrant(): TokenGrant | undefined {
    const grant = this.currentGrant;
    return grant && !grant.degraded && (this.current === 'active' || this.current === 'starting') ? grant : undefined;
  }

  private setState(state: DeviceSessionState): void {
    const previous = this.current;
    if (previous === state) return;
    this.current = state;
    this.events.emit('state', { state, previous });
  }

  private tokenRequestBody(): TokenRequestBody {
    const { deviceId, deviceName, contentId, kind } = this.options;
    return {
      deviceId,
      ...(deviceName !== undefined && { deviceName }),
      ...(contentId !== undefined && { contentId }),
      ...(kind !== undefined && { kind }),
    };
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

  private startRetryPolicy(): RetryPolicy | undefined {
    return this.options.startRetry ? withDefaults(this.options.startRetry, DEFAULT_START_RETRY) : undefined;
  }

  private refreshRetryPolicy(): RetryPolicy {
    return withDefaults(this.options.refreshRetry ?? {}, DEFAULT_REFRESH_RETRY);
  }
}

function withDefaults(policy: Partial<RetryPolicy>, defaults: RetryPolicy): RetryPolicy {
  const maxMs = policy.maxMs ?? Math.max(defaults.maxMs, policy.initialMs ?? 0);
  return { initialMs: Math.min(policy.initialMs ?? defaults.initialMs, maxMs), maxMs, maxAttempts: policy.maxAttempts ?? defaults.maxAttempts };
}
