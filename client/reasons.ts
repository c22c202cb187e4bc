/**
 * Why a device session ended, and the codes of its errors: the contract's words, without human
 * text (a player translates them; docs/client.md says what to show for each). Dependency-free, so
 * the backend (lambda/core/messages/control-message.ts) imports the same lists without the client importing
 * any AWS code.
 */

/** Reasons the backend writes in an `evicted` control message. */
export const EVICTED_REASONS = ['evicted-by-newer-session', 'ended-by-account', 'replaced'] as const;
export type EvictedReason = (typeof EVICTED_REASONS)[number];

/** Reasons the backend writes in an `expired` control message. */
export const BACKEND_EXPIRED_REASONS = ['lease-expired', 'lease-lost', 'max-duration'] as const;
export type BackendExpiredReason = (typeof BACKEND_EXPIRED_REASONS)[number];

/** Why the backend ends a session (`stopped`: the device's own stop; nothing is told). */
export const END_REASONS = ['stopped', ...BACKEND_EXPIRED_REASONS, ...EVICTED_REASONS] as const;
export type EndReason = (typeof END_REASONS)[number];

/**
 * Why a session is `expired`: the backend's reasons (`max-duration` also decided by the client at
 * the grant's `sessionEndsAt`, whichever comes first), or the client's own:
 * `token-expired` (every refresh failed until the token ran out) and `connection-lost` (no
 * heartbeat got through for longer than the lease, so the backend has given the slot away).
 */
export const EXPIRED_REASONS = [...BACKEND_EXPIRED_REASONS, 'token-expired', 'connection-lost'] as const;
export type ExpiredReason = (typeof EXPIRED_REASONS)[number];

/** Why a session is `stopped`: `stop()` (`user`), the page hidden (`page-hidden`, with `stopWhenHidden`) or left (`page-left`). */
export const STOPPED_REASONS = ['user', 'page-hidden', 'page-left'] as const;
export type StoppedReason = (typeof STOPPED_REASONS)[number];

/**
 * The client's own error codes:
 * - `token-request-failed`: `requestToken` threw (network), retryable.
 * - `invalid-token-answer`: an answer of `POST /tokens` outside the contract.
 * - `invalid-url`: a URL that cannot be parsed (the token route's or the topics API's); a configuration error.
 * - `heartbeat-failed`: the heartbeat topic refused this device (forbidden, invalid, a token rejected twice).
 * - `heartbeat-unreachable`: not one heartbeat got through for a whole lease (a blocked host:
 *   CSP, ad blocker, DNS); a configuration error, never retried.
 * - `control-failed`: the control topic refused this device.
 * - `token-not-renewed`: a refresh brought no newer token (only in `refresh-failed` events).
 */
export const CLIENT_ERROR_CODES = [
  'token-request-failed',
  'invalid-token-answer',
  'invalid-url',
  'heartbeat-failed',
  'heartbeat-unreachable',
  'control-failed',
  'token-not-renewed',
] as const;
export type ClientErrorCode = (typeof CLIENT_ERROR_CODES)[number];

/** The `error` codes `POST /tokens` answers with (besides `limit-reached`, a refusal). */
export const TOKEN_ERROR_CODES = [
  'invalid-json',
  'invalid-request',
  'unauthenticated',
  'forbidden',
  'admission-denied',
  'invalid-session-key',
  'method-not-allowed',
  'internal-error',
  'misconfigured',
  'admission-hook-failed',
  'momento-unavailable',
] as const;
export type TokenErrorCode = (typeof TOKEN_ERROR_CODES)[number];

/** Every code a `DeviceSessionError` carries. */
export type DeviceSessionErrorCode = ClientErrorCode | TokenErrorCode;
