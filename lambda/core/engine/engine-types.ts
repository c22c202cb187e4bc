import type { RuntimeConfig } from '../runtime/config';
import type { HeartbeatMessage } from '../messages/heartbeat-message';
import type { SessionRecord } from './session-store';

/** A device asking to start (or, with `sessionId`, to keep) a session. */
export interface AdmissionRequest {
  /** From the authenticated caller, never from a device-controlled field. */
  readonly accountId: string;
  readonly deviceId: string;
  readonly contentId?: string;
  readonly kind?: string;
  /** The viewer's name for the device, shown to the account's other devices (display only). */
  readonly deviceName?: string;
  /** Set when the device refreshes the token of a session it holds: it is not counted twice. */
  readonly sessionId?: string;
  /** The caller's request id, used to make the denied event's id stable across retries. */
  readonly requestId?: string;
  /**
   * Cache keys the caller needs right after an admission (token vending: the account's device
   * token), read in the admission's first `getBatch` instead of a call of their own.
   */
  readonly readAlong?: readonly string[];
}

/** A session as the entitlement check and a 409 show it (times are ISO 8601). */
export interface SessionView {
  readonly sessionId: string;
  readonly deviceId: string;
  /** The viewer's name for the device, when it sent one (display only). */
  readonly deviceName?: string;
  readonly contentId?: string;
  readonly kind?: string;
  readonly startedAt: string;
  readonly lastHeartbeatAt?: string;
  /** When the session ends unless a heartbeat arrives first (or its maximum duration, if sooner). */
  readonly expiresAt?: string;
}

export type AdmissionOutcome =
  | {
      readonly kind: 'admitted';
      readonly session: SessionRecord;
      readonly limit: number;
      readonly active: number;
      /** The device already held this session (a token refresh): not counted twice. */
      readonly continued: boolean;
      /**
       * The same device of the account held a place under this earlier session (its id copied to
       * another screen, or a restart without `sessionId`): that session was ended and told.
       */
      readonly replaced?: SessionRecord;
      /** The session evicted to make room (evict-oldest). */
      readonly evicted?: SessionRecord;
      /** The values of `request.readAlong` (undefined for a miss). */
      readonly readAlong?: ReadonlyMap<string, string | undefined>;
    }
  | {
      readonly kind: 'limit-reached';
      readonly limit: number;
      readonly active: number;
      readonly sessions: readonly SessionView[];
    }
  | { readonly kind: 'denied'; readonly reason: string }
  /** Momento was unavailable and FAILURE_MODE is `open`: allowed, nothing recorded. */
  | { readonly kind: 'degraded'; readonly session: SessionRecord; readonly limit: number; readonly reason: string };

/** The entitlement check of `GET /accounts/{accountId}/sessions`. */
export interface EntitlementView {
  readonly accountId: string;
  readonly limit: number;
  readonly active: number;
  readonly allowed: boolean;
  readonly sessions: readonly SessionView[];
  /** Momento was unavailable and FAILURE_MODE is `open`. */
  readonly degraded?: boolean;
}

export type DeviceMessageOutcome =
  | 'refreshed'
  | 'stopped'
  | 'lease-lost' // the device was told on its control topic
  | 'max-duration' // session ended, the device was told
  | 'already-ended' // a late message for an ended session: dropped
  | 'rejected'; // the session belongs to another account or device: dropped and counted

export interface SweepOptions {
  /** Default true; false ends only overrun maximum durations. */
  readonly lapsed?: boolean;
  /**
   * Also ends sessions whose deadline falls within this many ms (the subscriber passes its sweep
   * period plus its index batch window, so a silent device is released within one lease).
   * @default 0
   */
  readonly lookaheadMs?: number;
}

/** The concurrency engine: everything the handlers, the subscriber, the playground and benchmarks call. */
export interface ConcurrencyEngine {
  readonly config: RuntimeConfig;
  /** Admission (the core of POST /tokens, without the token). */
  admit(request: AdmissionRequest): Promise<AdmissionOutcome>;
  /** A device message already validated; `accountId` is the publisher's token id. */
  handleDeviceMessage(accountId: string, message: HeartbeatMessage): Promise<DeviceMessageOutcome>;
  heartbeat(accountId: string, message: HeartbeatMessage): Promise<DeviceMessageOutcome>;
  stop(accountId: string, message: HeartbeatMessage): Promise<DeviceMessageOutcome>;
  /** The entitlement check; `contentId` is required under the account-content and content scopes. */
  listSessions(accountId: string, contentId?: string): Promise<EntitlementView>;
  /**
   * The session check (`GET /accounts/{accountId}/sessions/{sessionId}`): the session while it is
   * counted (its record is there and it holds its place), undefined once it ended or never existed
   * (or belongs to another account). Fails closed: a Momento failure throws whatever FAILURE_MODE.
   */
  checkSession(accountId: string, sessionId: string): Promise<SessionView | undefined>;
  /** Ends a session now and tells its device (DELETE). */
  endSession(accountId: string, sessionId: string): Promise<'ended' | 'not-found'>;
  /**
   * Finds sessions whose lease or maximum duration ran out on these shards and ends each once.
   * `lapsed: false` ends only overrun maximum durations (a subscriber that knows it is behind must
   * not declare devices gone whose heartbeats it has not read yet). With leases the sweep is what
   * releases a silent device's place (see docs/architecture.md, "Counting strategies").
   */
  sweep(shards: readonly number[], options?: SweepOptions): Promise<{ readonly ended: number }>;
  /** Writes deadline index updates still queued (with `deadlineIndexBatch`); the subscriber calls it on stop. */
  flushDeadlineIndex?(): Promise<void>;
}
