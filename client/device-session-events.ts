import type { ControlMessage, Refusal, TokenGrant } from './contracts';
import type { DeviceSessionError } from './device-session-error';
import type { EvictedReason, ExpiredReason, StoppedReason } from './reasons';
import type { TopicTransportError } from './topic-transport';

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
export type DeviceSessionState =
  'idle' | 'starting' | 'active' | 'refused' | 'evicted' | 'expired' | 'stopped' | 'error';

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
  /**
   * The session's time ran out: `message` is the control message, when the backend sent one (not
   * when the client ended it itself, `max-duration` at the grant's `sessionEndsAt` included).
   */
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
  'refresh-failed': {
    readonly error: DeviceSessionError;
    readonly attempt: number;
    readonly retryInMs: number | undefined;
  };
  /** The session moved to `error`. */
  error: DeviceSessionError;
}

/** Emits one event of a session (the session's parts emit through the session, which logs them). */
export type EmitSessionEvent = <Name extends keyof DeviceSessionEvents>(
  name: Name,
  payload: DeviceSessionEvents[Name],
) => void;

/**
 * The public face of a `DeviceSession`: what the React hook, the video.js binding and the test
 * double (`FakeDeviceSession`, from the `/testing` entry) share. Code written against it runs with
 * either.
 */
export interface TrackedSession {
  /** The current state. */
  readonly state: DeviceSessionState;
  /** The current grant, once admitted. */
  readonly grant: TokenGrant | undefined;
  /** The session id the backend assigned, once admitted. */
  readonly sessionId: string | undefined;
  /** The last refusal (409), with the account's active sessions. */
  readonly refusal: Refusal | undefined;
  /** The error that put the session in `error`. */
  readonly error: DeviceSessionError | undefined;
  /** Why the session is `stopped` (undefined in any other state). */
  readonly stoppedReason: StoppedReason | undefined;
  /** Listens to an event; returns the function that removes the listener. */
  on<Name extends keyof DeviceSessionEvents>(
    name: Name,
    listener: (payload: DeviceSessionEvents[Name]) => void,
  ): () => void;
  /** Removes a listener added with `on`. */
  off<Name extends keyof DeviceSessionEvents>(name: Name, listener: (payload: DeviceSessionEvents[Name]) => void): void;
  /** Asks for admission; resolves to the outcome and never rejects. */
  start(): Promise<StartResult>;
  /** Ends the session and releases its slot. */
  stop(): Promise<void>;
}
