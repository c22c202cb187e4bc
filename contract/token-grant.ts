/**
 * The 201 body of `POST /tokens`: an admitted session and its disposable token. Token vending
 * answers with exactly this; the device client's schema checks every field of it (and also takes
 * a grant from an older backend, without `leaseSeconds` or `sessionKey`).
 */
export interface TokenGrantBody {
  /** The disposable Momento token: publish on the heartbeat topic, subscribe to the control topic. */
  readonly token: string;
  readonly sessionId: string;
  /**
   * Proof of this session for its heartbeats, stops and token refreshes (HMAC of the session
   * under the server's secret). Returned to the admitted device only; empty in a degraded answer
   * (no session to prove).
   */
  readonly sessionKey: string;
  readonly cacheName: string;
  readonly heartbeatTopic: string;
  readonly controlTopic: string;
  readonly heartbeatIntervalSeconds: number;
  /**
   * How long a session lives without a heartbeat reaching the backend. A device that could not
   * heartbeat for this long ends its session itself (`expired`, `connection-lost`): its slot is gone.
   */
  readonly leaseSeconds: number;
  /** ISO 8601: when the token stops working (the device refreshes before). */
  readonly expiresAt: string;
  /**
   * ISO 8601: when the session reaches its maximum duration (`MAX_SESSION_SECONDS`) and ends
   * (`expired`, `max-duration`); absent without a maximum, and from a degraded answer. Tokens are
   * cut to what remains of the session in whole seconds (at least one), so the last one expires up
   * to a second before this: the device ends the session here rather than refreshing it.
   * Optional: a client that does not know it ignores it.
   */
  readonly sessionEndsAt?: string;
  readonly limit: number;
  readonly active: number;
  /** Momento failed and the failure mode is `open`: allowed without counting (the token is empty). */
  readonly degraded?: true;
}
