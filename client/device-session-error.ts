import type { DeviceSessionErrorCode } from './reasons';

/** Why a session ended in the `error` state, or why a token request failed. */
export class DeviceSessionError extends Error {
  /**
   * A code from client/reasons.ts: the backend's `error` code when it answered with one (a
   * `TokenErrorCode`, for example `momento-unavailable`), otherwise one of the client's own
   * (`ClientErrorCode`: `token-request-failed`, `invalid-token-answer`, `invalid-url`,
   * `heartbeat-failed`, `heartbeat-unreachable`, `control-failed`, `token-not-renewed`). A newer
   * backend may answer with a code not in the list: treat it as the generic case.
   */
  readonly code: DeviceSessionErrorCode | (string & {});
  /** The HTTP status of the backend's answer, when there was one. */
  readonly status?: number;
  /** Whether trying again later may succeed (network trouble, throttling, a 5xx). */
  readonly retryable: boolean;
  /** The answer's `Retry-After`, in ms, when it had one: no retry comes sooner. */
  readonly retryAfterMs?: number;

  /** `message` is a debug hint in English (or the backend's text), not for players: show `code`. */
  constructor(
    code: DeviceSessionErrorCode | (string & {}),
    message: string,
    options: { status?: number; retryable: boolean; retryAfterMs?: number; cause?: unknown },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DeviceSessionError';
    this.code = code;
    this.status = options.status;
    this.retryable = options.retryable;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}
