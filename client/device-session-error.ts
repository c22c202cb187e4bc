/** Why a session ended in the `error` state, or why a token request failed. */
export class DeviceSessionError extends Error {
  /**
   * The backend's `error` code when it answered with one (for example `momento-unavailable`),
   * otherwise one of the client's own: `token-request-failed` (the request function threw),
   * `invalid-token-answer` (an answer outside the contract), `heartbeat-failed` or
   * `control-failed` (the topic refused the token for a reason a retry cannot fix).
   */
  readonly code: string;
  /** The HTTP status of the backend's answer, when there was one. */
  readonly status?: number;
  /** Whether trying again later may succeed (network trouble, throttling, a 5xx). */
  readonly retryable: boolean;

  constructor(code: string, message: string, options: { status?: number; retryable: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DeviceSessionError';
    this.code = code;
    this.status = options.status;
    this.retryable = options.retryable;
  }
}
