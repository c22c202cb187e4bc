/** Retry delays: exponential from `initialMs`, capped at `maxMs`, with jitter. */
export interface BackoffPolicy {
  /** Delay before the first retry, in ms. */
  readonly initialMs: number;
  /** Longest delay, in ms. */
  readonly maxMs: number;
}

/** A backoff with a budget: at most `maxAttempts` retries in a row. */
export interface RetryPolicy extends BackoffPolicy {
  /** Retries after the first failure before giving up (0: none). */
  readonly maxAttempts: number;
}

/**
 * The delay before retry number `attempt` (1 for the first retry). "Equal jitter": half the
 * exponential delay is fixed and half random, so many devices failing at once do not retry in step,
 * yet no retry comes sooner than half its step.
 */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const step = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + (step / 2) * random());
}

/** The backoff delay, but never sooner than the server's `Retry-After`. */
export function retryDelay(
  policy: BackoffPolicy,
  attempt: number,
  random?: () => number,
  retryAfterMs?: number,
): number {
  return Math.max(backoffDelay(policy, attempt, random), retryAfterMs ?? 0);
}
