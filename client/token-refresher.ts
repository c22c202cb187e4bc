import { backoffDelay, type BackoffPolicy, type RetryPolicy } from './backoff';
import type { Refusal, TokenGrant } from './contracts';
import { abortableTimeout, type CancelTimer } from './detached-timer';
import type { EmitSessionEvent } from './device-session-events';
import { DeviceSessionError } from './device-session-error';
import type { DeviceSessionLogger } from './session-logger';
import { requestTokenOutcome, type RequestToken, type TokenRequestBody } from './token-request';

/** How long before the token's expiry a backoff retry of the refresh is brought forward to. */
const LAST_REFRESH_BEFORE_EXPIRY_MS = 1_000;

/**
 * Token lifetimes are whole seconds and the backend cuts them to what remains of the session, so a
 * token expiring less than this before the grant's `sessionEndsAt` is the session's last.
 */
const TOKEN_LIFETIME_STEP_MS = 1_000;

/**
 * Whether `grant`'s token is its session's last: it reaches the session's end (`sessionEndsAt`, a
 * maximum duration), so no refresh can carry the session further.
 */
export function isLastToken(grant: TokenGrant): boolean {
  return (
    grant.sessionEndsAt !== undefined &&
    Date.parse(grant.expiresAt) >= Date.parse(grant.sessionEndsAt) - TOKEN_LIFETIME_STEP_MS
  );
}

/** What a token refresher needs from its session. */
export interface TokenRefresherOptions {
  /** Aborted when the session ends: no request is sent and no callback runs after it. */
  readonly signal: AbortSignal;
  readonly requestToken: RequestToken;
  /** The device's part of a token request (deviceId, deviceName, contentId, kind). */
  readonly body: () => TokenRequestBody;
  /** The session's current grant. */
  readonly grant: () => TokenGrant;
  /** How long before `expiresAt` to refresh, in seconds (undefined: the default margin). */
  readonly refreshBeforeExpirySeconds?: number;
  /** Retries of a failed refresh. */
  readonly retry: RetryPolicy;
  /** Backoff of a degraded session's new admission requests (at least one heartbeat interval). */
  readonly readmitRetry: () => BackoffPolicy;
  readonly random?: () => number;
  readonly emit: EmitSessionEvent;
  readonly log: DeviceSessionLogger;
  /** A refresh asked at `requestedAt` brought `grant` for the same session (newer or not). */
  readonly onRenewed: (grant: TokenGrant, previous: TokenGrant, requestedAt: number) => void;
  /** A degraded session was admitted for real: `grant` carries a token. */
  readonly onReadmitted: (grant: TokenGrant, requestedAt: number) => void;
  /** A degraded session's new admission was degraded again. */
  readonly onStillDegraded: (grant: TokenGrant) => void;
  /** The refresh answered with another session: another screen took over (`check`: lost while away). */
  readonly onOtherSession: (previous: TokenGrant, other: TokenGrant, check: boolean) => void;
  readonly onRefused: (refusal: Refusal) => void;
  /** A failure that retrying will not fix. */
  readonly onFailed: (error: DeviceSessionError) => void;
  /** The token ran out before a refresh brought a newer one. */
  readonly onTokenExpired: () => void;
  /** The session reached its maximum duration (`sessionEndsAt`) on its last token. */
  readonly onSessionEnded: () => void;
}

/**
 * The token of one admitted session: refreshed before it expires, retried with its own policy
 * (jitter, cap, budget, `Retry-After`) and never planned past the expiry, which ends the session.
 * The last token of a session with a maximum duration is not refreshed: the session ends at the
 * grant's `sessionEndsAt`. For a degraded admission (no token), it asks for a real admission again
 * instead. Everything it schedules belongs to `signal`.
 */
export class TokenRefresher {
  private cancelRefresh: CancelTimer | undefined;
  private cancelExpiry: CancelTimer | undefined;
  private refreshing: Promise<void> | undefined;
  /** Failed refreshes (or degraded admissions) in a row. */
  private failures = 0;

  constructor(private readonly options: TokenRefresherOptions) {}

  /**
   * Plans the refresh of `grant` (after `delayMs`, or its margin before expiry) and the end at its
   * expiry; for the session's last token, no refresh (but a retry after `delayMs`) and the end at
   * `sessionEndsAt`.
   */
  schedule(grant: TokenGrant, delayMs?: number): void {
    const { signal } = this.options;
    if (isLastToken(grant)) {
      const endsInMs = Date.parse(grant.sessionEndsAt as string) - Date.now();
      this.options.log.debug('last token of the session: no refresh, the session ends at its maximum duration', {
        inMs: endsInMs,
        expiresAt: grant.expiresAt,
        sessionEndsAt: grant.sessionEndsAt,
      });
      this.cancelRefresh?.();
      // Only the retry of a refresh that failed (asked because the token was rejected before it ran out).
      this.cancelRefresh =
        delayMs === undefined ? undefined : abortableTimeout(signal, delayMs, () => void this.refreshNow());
      this.cancelExpiry?.();
      this.cancelExpiry = abortableTimeout(signal, endsInMs, () => this.options.onSessionEnded());
      return;
    }
    const remainingMs = Date.parse(grant.expiresAt) - Date.now();
    const marginMs =
      this.options.refreshBeforeExpirySeconds !== undefined
        ? this.options.refreshBeforeExpirySeconds * 1000
        : Math.max(2 * grant.heartbeatIntervalSeconds * 1000, remainingMs / 5);
    const refreshInMs = delayMs ?? Math.max(0, remainingMs - marginMs);
    this.options.log.debug('token refresh planned', { inMs: refreshInMs, expiresAt: grant.expiresAt });
    this.cancelRefresh?.();
    this.cancelRefresh = abortableTimeout(signal, refreshInMs, () => void this.refreshNow());
    this.cancelExpiry?.();
    this.cancelExpiry = abortableTimeout(signal, remainingMs, () => this.options.onTokenExpired());
  }

  /** Refreshes now (one request at a time). `check`: asked after heartbeats came back, to learn whether the session still lives. */
  refreshNow(check = false): Promise<void> {
    const grant = this.options.grant();
    if (!check && isLastToken(grant) && Date.now() >= Date.parse(grant.expiresAt)) {
      // The last token ran out (a rejected heartbeat or poll says so): no token can outlive the
      // session, which ends at `sessionEndsAt`, at most a second from now.
      this.options.log.debug('the last token ran out: no refresh before the session ends', {
        sessionEndsAt: grant.sessionEndsAt,
      });
      return Promise.resolve();
    }
    if (!this.refreshing) {
      this.refreshing = this.runRefresh(check).finally(() => {
        this.refreshing = undefined;
      });
    }
    return this.refreshing;
  }

  /**
   * Admitted uncounted, without a token: nothing to publish or listen to. Asks again (as a new
   * admission, since the backend kept no session) with backoff until a real token, a refusal
   * (counting works again and the account is full) or an error that a retry cannot fix.
   */
  readmitLater(): void {
    this.failures += 1;
    const intervalMs = this.options.grant().heartbeatIntervalSeconds * 1000;
    const retryInMs = Math.max(
      intervalMs,
      backoffDelay(this.options.readmitRetry(), this.failures, this.options.random),
    );
    this.options.log.debug('degraded admission: asking again', { inMs: retryInMs });
    this.cancelRefresh?.();
    this.cancelRefresh = abortableTimeout(this.options.signal, retryInMs, () => void this.readmit());
  }

  private async runRefresh(check: boolean): Promise<void> {
    const { signal } = this.options;
    this.cancelRefresh?.();
    this.cancelRefresh = undefined;
    if (signal.aborted) return;
    const previous = this.options.grant();
    const requestedAt = Date.now();
    const outcome = await requestTokenOutcome(this.options.requestToken, {
      ...this.options.body(),
      sessionId: previous.sessionId,
      ...(previous.sessionKey !== undefined && { sessionKey: previous.sessionKey }),
    });
    if (signal.aborted) return;
    if (outcome.type === 'refused') {
      this.options.onRefused(outcome.refusal);
      return;
    }
    if (outcome.type === 'failed') {
      if (outcome.error.retryable) this.retry(outcome.error, previous);
      else this.options.onFailed(outcome.error);
      return;
    }
    const grant = outcome.grant;
    if (grant.sessionId !== previous.sessionId) {
      this.options.onOtherSession(previous, grant, check);
      return;
    }
    this.options.onRenewed(grant, previous, requestedAt);
    // The session's last token is as late as any can be: taken even if it expires no later (the
    // refresh was asked because the previous one was rejected).
    if (Date.parse(grant.expiresAt) <= Date.parse(previous.expiresAt) && !isLastToken(grant)) {
      if (check) {
        // The session lives and its token is still the current one: carry on as planned.
        this.schedule(grant);
        return;
      }
      // The backend reuses tokens until close to their expiry: ask again later, not in a tight loop.
      const error = new DeviceSessionError(
        'token-not-renewed',
        'the refreshed token expires no later than the previous one',
        { retryable: true },
      );
      this.retry(error, grant);
      return;
    }
    this.failures = 0;
    this.options.emit('token-refreshed', grant);
    this.schedule(grant);
  }

  /** Refresh retries: their own policy (jitter, cap, budget, `Retry-After`), never past the token's expiry. */
  private retry(error: DeviceSessionError, grant: TokenGrant): void {
    const policy = this.options.retry;
    this.failures += 1;
    if (this.failures > policy.maxAttempts) {
      // Budget spent: no more calls; the session ends when the token (or the lease) runs out.
      this.cancelRefresh?.();
      this.cancelRefresh = undefined;
      this.options.log.warn('token refresh budget spent: the session ends when its token or lease runs out', {
        attempts: this.failures,
      });
      this.options.emit('refresh-failed', { error, attempt: this.failures, retryInMs: undefined });
      return;
    }
    const untilLastChanceMs = Math.max(0, Date.parse(grant.expiresAt) - Date.now() - LAST_REFRESH_BEFORE_EXPIRY_MS);
    const backoffMs = Math.min(backoffDelay(policy, this.failures, this.options.random), untilLastChanceMs);
    const retryInMs = Math.max(backoffMs, error.retryAfterMs ?? 0);
    this.options.emit('refresh-failed', { error, attempt: this.failures, retryInMs });
    this.schedule(grant, retryInMs);
  }

  private async readmit(): Promise<void> {
    const { signal } = this.options;
    this.cancelRefresh = undefined;
    if (signal.aborted) return;
    const requestedAt = Date.now();
    const outcome = await requestTokenOutcome(this.options.requestToken, this.options.body());
    if (signal.aborted) return;
    if (outcome.type === 'refused') {
      this.options.onRefused(outcome.refusal);
      return;
    }
    if (outcome.type === 'failed' && !outcome.error.retryable) {
      this.options.onFailed(outcome.error);
      return;
    }
    if (outcome.type === 'granted' && !outcome.grant.degraded) {
      this.options.onReadmitted(outcome.grant, requestedAt);
      return;
    }
    if (outcome.type === 'granted') this.options.onStillDegraded(outcome.grant);
    this.readmitLater();
  }
}
