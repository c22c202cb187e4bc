import * as z from 'zod/mini';
import { retryDelay, type BackoffPolicy, type RetryPolicy } from './backoff';
import {
  contentIdSchema,
  describeIssues,
  deviceIdSchema,
  deviceNameSchema,
  encodeHeartbeat,
  kindSchema,
  type ControlMessage,
  type Refusal,
  type TokenGrant,
} from './contracts';
import { ControlListener } from './control-listener';
import { DeviceSessionError } from './device-session-error';
import type {
  DeviceSessionEvents,
  DeviceSessionState,
  EmitSessionEvent,
  StartResult,
  TrackedSession,
} from './device-session-events';
import { HeartbeatLoop, heartbeatAddress } from './heartbeat-loop';
import { browserPageLifecycle, watchPageExit, watchPageVisible, type PageExit, type PageLifecycle } from './page-exit';
import type { StoppedReason } from './reasons';
import { SessionEvents } from './session-events';
import { sessionLogger, type DeviceSessionLogger } from './session-logger';
import { requestTokenOutcome, type RequestToken, type TokenOutcome, type TokenRequestBody } from './token-request';
import { TokenRefresher } from './token-refresher';
import type { TopicTransport } from './topic-transport';
import { errorMessage } from './error-message';

export type {
  DeviceSessionEvents,
  DeviceSessionState,
  RetryEvent,
  StartResult,
  TrackedSession,
} from './device-session-events';

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
  /**
   * Where to write what the session does (every event, state change and scheduled heartbeat or
   * refresh, and warnings before it ends on its own). @default - nothing is written
   */
  readonly logger?: DeviceSessionLogger;
  /** Write the same to the console (`console.debug`/`console.warn`) when no `logger` is given. @default false */
  readonly debug?: boolean;
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
  debug: z.optional(z.boolean()),
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

/** One admission, from `start()` to its end: aborting `controller` cancels everything it scheduled. */
interface SessionRun {
  readonly controller: AbortController;
  refresher?: TokenRefresher;
  heartbeats?: HeartbeatLoop;
  control?: ControlListener;
  watchingPage?: boolean;
}

/**
 * One device's concurrency session: admission through `POST /tokens`, then three parts that run
 * while it is active (a heartbeat loop, a token refresher and a control listener), each cancelled
 * through the admission's `AbortSignal` when the session ends, and a clean stop.
 */
export class DeviceSession implements TrackedSession {
  private readonly options: DeviceSessionOptions;
  private readonly events = new SessionEvents<DeviceSessionEvents>();
  private readonly page: PageLifecycle | undefined;
  private readonly log: DeviceSessionLogger;
  private current: DeviceSessionState = 'idle';
  private currentGrant: TokenGrant | undefined;
  private lastRefusal: Refusal | undefined;
  private lastError: DeviceSessionError | undefined;
  private stoppedBy: StoppedReason | undefined;
  /** The admission under way (while `starting` or `active`). */
  private run: SessionRun | undefined;
  private starting: Promise<StartResult> | undefined;
  /** Aborted by `stop()` while starting. */
  private stopWhileStarting: AbortController | undefined;
  /** Cancels waiting for the page to be visible again (`resumeWhenVisible`). */
  private unwatchResume: (() => void) | undefined;

  constructor(options: DeviceSessionOptions) {
    const parsed = optionsSchema.safeParse(options);
    if (!parsed.success) throw new TypeError(`invalid DeviceSession options: ${describeIssues(parsed.error)}`);
    if (typeof options.requestToken !== 'function')
      throw new TypeError('invalid DeviceSession options: requestToken must be a function');
    const transport = options.transport as Partial<TopicTransport> | undefined;
    if (!transport || typeof transport.publish !== 'function' || typeof transport.subscribe !== 'function') {
      throw new TypeError('invalid DeviceSession options: transport must have publish() and subscribe()');
    }
    const logger = options.logger as Partial<DeviceSessionLogger> | undefined;
    if (logger !== undefined && (typeof logger?.debug !== 'function' || typeof logger.warn !== 'function')) {
      throw new TypeError('invalid DeviceSession options: logger must have debug() and warn()');
    }
    this.options = options;
    this.page = options.pageLifecycle === false ? undefined : (options.pageLifecycle ?? browserPageLifecycle());
    this.log = sessionLogger(options.logger, options.debug);
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
  on<Name extends keyof DeviceSessionEvents>(
    name: Name,
    listener: (payload: DeviceSessionEvents[Name]) => void,
  ): () => void {
    return this.events.on(name, listener);
  }

  /** Removes a listener added with `on`. */
  off<Name extends keyof DeviceSessionEvents>(
    name: Name,
    listener: (payload: DeviceSessionEvents[Name]) => void,
  ): void {
    this.events.off(name, listener);
  }

  /**
   * Asks for admission and, when admitted, starts heartbeating. Resolves to the outcome; never
   * rejects. While starting it returns the same promise; while active, the current grant.
   */
  start(): Promise<StartResult> {
    if (this.starting) return this.starting;
    if (this.current === 'active' && this.currentGrant)
      return Promise.resolve({ state: 'active', grant: this.currentGrant });
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
      this.stopWhileStarting?.abort();
      await Promise.resolve(); // stop() from a 'starting' listener runs before start() has its promise
      await this.starting;
      return;
    }
    if (this.current !== 'active' || !this.currentGrant) return;
    const grant = this.currentGrant;
    // The admission's signal aborts first, so that no heartbeat can follow the stop.
    this.endStopped('user');
    if (!grant.degraded) await this.publishStop(grant); // a degraded session holds no slot
  }

  /** Emits an event, and logs it (without the token or session key a grant carries). */
  private readonly emit: EmitSessionEvent = (name, payload) => {
    this.log.debug(`event ${String(name)}`, withoutSecrets(payload));
    this.events.emit(name, payload);
  };

  private async runStart(): Promise<StartResult> {
    const run: SessionRun = { controller: new AbortController() };
    const { signal } = run.controller;
    const stopRequest = new AbortController();
    this.run = run;
    this.stopWhileStarting = stopRequest;
    this.currentGrant = undefined;
    this.lastRefusal = undefined;
    this.lastError = undefined;
    this.unwatchResume?.();
    this.unwatchResume = undefined;
    this.setState('starting');
    let requestedAt = Date.now();
    let outcome: TokenOutcome = await requestTokenOutcome(this.options.requestToken, this.tokenRequestBody());
    for (let attempt = 1; ; attempt += 1) {
      if (signal.aborted) return { state: 'stopped' };
      const policy = this.startRetryPolicy();
      if (
        !policy ||
        outcome.type !== 'failed' ||
        !outcome.error.retryable ||
        attempt > policy.maxAttempts ||
        stopRequest.signal.aborted
      )
        break;
      const retryInMs = retryDelay(policy, attempt, this.options.random, outcome.error.retryAfterMs);
      this.emit('start-failed', { error: outcome.error, attempt, retryInMs });
      await waitUnlessAborted(retryInMs, stopRequest.signal);
      if (signal.aborted) return { state: 'stopped' };
      if (stopRequest.signal.aborted) {
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
    if (stopRequest.signal.aborted) {
      // stop() came while the request was in flight: release the slot we were just given.
      this.endStopped('user');
      await this.publishStop(grant);
      return { state: 'stopped' };
    }
    const failure = this.activate(grant, run, requestedAt);
    if (failure) return { state: 'error', error: failure };
    if (signal.aborted) return { state: 'stopped' }; // a listener stopped it on 'active'
    return { state: 'active', grant };
  }

  /**
   * Starts the parts of an admitted session. `requestedAt`: when the admission was asked for (the
   * backend's lease began after it). Returns the error that ended it if the control topic could not
   * be listened to.
   */
  private activate(grant: TokenGrant, run: SessionRun, requestedAt: number): DeviceSessionError | undefined {
    const { signal } = run.controller;
    this.currentGrant = grant;
    run.refresher = this.tokenRefresher(run);
    if (grant.degraded) {
      // Admitted uncounted, without a token: nothing to publish or listen to; ask again later.
      this.watchPage(run);
      this.setState('active');
      this.emit('active', grant);
      if (!signal.aborted) run.refresher.readmitLater();
      return undefined;
    }
    try {
      run.control = this.controlListener(grant, run);
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code === 'invalid-url' ? 'invalid-url' : 'control-failed';
      const failure = new DeviceSessionError(code, `could not listen on the control topic: ${errorMessage(error)}`, {
        retryable: false,
        cause: error,
      });
      this.fail(failure);
      return failure;
    }
    this.watchPage(run);
    run.refresher.schedule(grant);
    run.heartbeats = this.heartbeatLoop(run);
    this.setState('active');
    this.emit('active', grant);
    if (!signal.aborted) run.heartbeats.start(requestedAt);
    return undefined;
  }

  private heartbeatLoop(run: SessionRun): HeartbeatLoop {
    return new HeartbeatLoop({
      signal: run.controller.signal,
      transport: this.options.transport,
      grant: () => this.currentGrant as TokenGrant,
      message: (grant) => this.heartbeatText('heartbeat', grant),
      retry: () => this.retryPolicy(),
      ...(this.options.random && { random: this.options.random }),
      emit: this.emit,
      log: this.log,
      onTokenRejected: () => void run.refresher?.refreshNow(),
      onRecovered: () => void run.refresher?.refreshNow(true),
      onConnectionLost: () => this.expire('connection-lost'),
      onFailed: (error) => this.fail(error),
    });
  }

  private tokenRefresher(run: SessionRun): TokenRefresher {
    return new TokenRefresher({
      signal: run.controller.signal,
      requestToken: this.options.requestToken,
      body: () => this.tokenRequestBody(),
      grant: () => this.currentGrant as TokenGrant,
      ...(this.options.refreshBeforeExpirySeconds !== undefined && {
        refreshBeforeExpirySeconds: this.options.refreshBeforeExpirySeconds,
      }),
      retry: this.refreshRetryPolicy(),
      readmitRetry: () => this.retryPolicy(),
      ...(this.options.random && { random: this.options.random }),
      emit: this.emit,
      log: this.log,
      onRenewed: (grant, previous, requestedAt) => {
        this.currentGrant = grant;
        run.heartbeats?.tokenRenewed(requestedAt); // a refresh renews the lease too
        run.control?.tokenRenewed(previous, grant);
      },
      onReadmitted: (grant, requestedAt) => {
        this.currentGrant = grant;
        this.emit('token-refreshed', grant);
        if (!run.controller.signal.aborted) this.activate(grant, run, requestedAt);
      },
      onStillDegraded: (grant) => {
        this.currentGrant = grant;
      },
      onOtherSession: (previous, other, check) => (check ? this.lostWhileAway(other) : this.replaced(previous, other)),
      onRefused: (refusal) => this.refuse(refusal),
      onFailed: (error) => this.fail(error),
      onTokenExpired: () => this.expire('token-expired'),
      onSessionEnded: () => this.expire('max-duration'),
    });
  }

  private controlListener(grant: TokenGrant, run: SessionRun): ControlListener {
    return new ControlListener(grant, {
      signal: run.controller.signal,
      transport: this.options.transport,
      sessionId: () => this.currentGrant?.sessionId,
      onLimitChanged: (message) => this.emit('limit-changed', message),
      onEnded: (message) => this.endedByBackend(message),
      onTokenRejected: () => void run.refresher?.refreshNow(), // the new token resumes the subscription
      onFailed: (error) => this.fail(error),
    });
  }

  /** The control topic said this session ended: `evicted` or `expired`. */
  private endedByBackend(message: ControlMessage): void {
    if (message.type === 'evicted') {
      this.end('evicted');
      this.emit('evicted', message);
    } else {
      this.end('expired');
      this.emit('expired', { reason: message.reason, message });
    }
  }

  /**
   * Ends in `expired` for a reason the client sees itself (`max-duration`: the grant's
   * `sessionEndsAt` has come; the backend's own message may follow, to a closed subscription),
   * and releases the slot if it is still held.
   */
  private expire(reason: 'connection-lost' | 'token-expired' | 'max-duration'): void {
    const grant = this.currentGrant;
    this.end('expired');
    this.emit('expired', { reason });
    // Best effort: a heartbeat may have got through unseen, so the slot may still be ours. (An
    // expired token could not publish the stop.)
    if (reason === 'connection-lost' && grant && !grant.degraded) void this.publishStop(grant);
  }

  /**
   * A refresh came back with another session: the backend no longer counts this one for this device
   * (another screen with the same deviceId took it over, or its lease was lost). Playback stops as if
   * evicted; the session it was handed instead is released at once, never adopted silently.
   */
  private replaced(previous: TokenGrant, other: TokenGrant): void {
    this.end('evicted');
    this.emit('evicted', { v: 1, type: 'evicted', sessionId: previous.sessionId, reason: 'replaced' });
    if (!other.degraded) void this.publishStop(other);
  }

  /**
   * The session check after a run of heartbeat failures answered with another session: this one
   * was lost while the connection was down (its lease ran out). It ends `expired`
   * (`connection-lost`); the session it was handed is released at once, never adopted silently.
   */
  private lostWhileAway(other: TokenGrant): void {
    this.end('expired');
    this.emit('expired', { reason: 'connection-lost' });
    if (!other.degraded) void this.publishStop(other);
  }

  /** Stops the session when the page goes away (browser only); once per admission. */
  private watchPage(run: SessionRun): void {
    if (!this.page || run.watchingPage) return;
    run.watchingPage = true;
    const unwatch = watchPageExit(this.page, (how) => this.onPageExit(run, how), this.options.stopWhenHidden ?? false);
    run.controller.signal.addEventListener('abort', unwatch, { once: true });
  }

  private onPageExit(run: SessionRun, how: PageExit): void {
    const grant = this.currentGrant;
    if (run.controller.signal.aborted || this.current !== 'active' || !grant) return;
    this.endStopped(how === 'hidden' ? 'page-hidden' : 'page-left');
    if (how === 'hidden' && this.options.resumeWhenVisible && this.page && this.state === 'stopped') {
      this.unwatchResume = watchPageVisible(this.page, () => {
        this.unwatchResume = undefined;
        if (this.current === 'stopped' && this.stoppedBy === 'page-hidden') void this.start();
      });
    }
    if (grant.degraded) return; // a degraded session holds no slot
    const address = heartbeatAddress(grant);
    const text = this.heartbeatText('stop', grant);
    const { transport } = this.options;
    if (transport.publishOnExit) transport.publishOnExit(address, text);
    else void transport.publish(address, text).catch(() => undefined); // the lease runs out by itself
  }

  private async publishStop(grant: TokenGrant): Promise<void> {
    try {
      await this.options.transport.publish(heartbeatAddress(grant), this.heartbeatText('stop', grant));
      this.emit('heartbeat', { type: 'stop', at: Date.now() });
    } catch (error) {
      // Not fatal: the lease runs out by itself within one lease duration.
      this.log.debug('the stop message failed: the lease runs out by itself', { error: errorMessage(error) });
    }
  }

  /** Moves to a state at rest: the admission's signal aborts, which cancels all its pending work. */
  private end(state: 'refused' | 'evicted' | 'expired' | 'stopped' | 'error'): void {
    this.run?.controller.abort();
    this.run = undefined;
    this.setState(state);
  }

  private endStopped(reason: StoppedReason): void {
    this.stoppedBy = reason;
    this.end('stopped');
    this.emit('stopped', { reason });
  }

  /**
   * A refusal or an error after admission releases the slot at once (a stop message, best effort)
   * instead of leaving it held until the lease runs out.
   */
  private refuse(refusal: Refusal): void {
    const admitted = this.admittedGrant();
    this.lastRefusal = refusal;
    this.end('refused');
    this.emit('refused', refusal);
    if (admitted) void this.publishStop(admitted);
  }

  private fail(error: DeviceSessionError): void {
    const admitted = this.admittedGrant();
    this.lastError = error;
    this.log.warn(`session error ${error.code}: ${error.message}`);
    this.end('error');
    this.emit('error', error);
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
    this.emit('state', { state, previous });
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

  private retryPolicy(): BackoffPolicy {
    const maxMs = this.options.retry?.maxMs ?? (this.currentGrant?.heartbeatIntervalSeconds ?? 1) * 1000;
    return { initialMs: Math.min(this.options.retry?.initialMs ?? DEFAULT_RETRY_INITIAL_MS, maxMs), maxMs };
  }

  private startRetryPolicy(): RetryPolicy | undefined {
    return this.options.startRetry ? withDefaults(this.options.startRetry, DEFAULT_START_RETRY) : undefined;
  }

  private refreshRetryPolicy(): RetryPolicy {
    return withDefaults(this.options.refreshRetry ?? {}, DEFAULT_REFRESH_RETRY);
  }
}

/** Waits `delayMs`, or less if `signal` aborts. A plain timer: a Node process awaiting `start()` stays alive for it. */
function waitUnlessAborted(delayMs: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(handle);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const handle = setTimeout(done, delayMs);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** An event's payload for the log: a grant's token and session key are left out. */
function withoutSecrets(payload: unknown): Record<string, unknown> {
  if (typeof payload !== 'object' || payload === null) return { payload };
  if (payload instanceof Error) return { error: payload.message };
  const { token: _token, sessionKey: _sessionKey, ...rest } = payload as Record<string, unknown>;
  return rest;
}

function withDefaults(policy: Partial<RetryPolicy>, defaults: RetryPolicy): RetryPolicy {
  const maxMs = policy.maxMs ?? Math.max(defaults.maxMs, policy.initialMs ?? 0);
  return {
    initialMs: Math.min(policy.initialMs ?? defaults.initialMs, maxMs),
    maxMs,
    maxAttempts: policy.maxAttempts ?? defaults.maxAttempts,
  };
}
