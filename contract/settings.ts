/**
 * The values of the settings the construct passes to the runtime (as environment variables) and
 * the device client meets in its grants. The construct's props enums (`AtLimitBehavior`,
 * `LimitScope`, `CountingStrategy`, `FailureMode`) have exactly these values.
 */

/** What an admission does when the scope is at its limit. */
export const AT_LIMIT_BEHAVIORS = ['reject', 'evict-oldest'] as const;
export type AtLimitBehavior = (typeof AT_LIMIT_BEHAVIORS)[number];

/** What a limit counts: sessions per account, per account and title, or per content (room). */
export const LIMIT_SCOPES = ['account', 'account-content', 'content'] as const;
export type LimitScope = (typeof LIMIT_SCOPES)[number];

/** How active sessions are counted: exact leases, or the seed patterns' baselines. */
export const COUNTING_STRATEGIES = ['leases', 'capped-list', 'interval-dictionary'] as const;
export type CountingStrategyName = (typeof COUNTING_STRATEGIES)[number];

/** What the request path answers while Momento is unavailable. */
export const FAILURE_MODES = ['closed', 'open'] as const;
export type FailureMode = (typeof FAILURE_MODES)[number];

/** Where the request handlers take the caller's account from. */
export const ACCOUNT_SOURCES = ['iam', 'claim'] as const;
export type AccountSource = (typeof ACCOUNT_SOURCES)[number];
