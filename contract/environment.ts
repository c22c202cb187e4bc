import type { AccountSource, AtLimitBehavior, CountingStrategyName, FailureMode, LimitScope } from './settings';

/**
 * The environment variables of the runtime (docs/architecture.md, "Environment variables"): the
 * construct writes them, the runtime's configuration schema reads every one.
 */
export const ENVIRONMENT_VARIABLES = [
  'CACHE_NAME',
  'HEARTBEAT_TOPIC',
  'TOPIC_SHARDS',
  'CONTROL_TOPIC_PREFIX',
  'AUTH_KEY_SECRET_ARN',
  'DATA_KEY_SECRET_ARN',
  'MOMENTO_DATA_KEY',
  'SESSION_KEY_SECRET_ARN',
  'SESSION_KEY_SECRET',
  'SUBSCRIBER_SHARDS',
  'HEALTH_PORT',
  'HEARTBEAT_INTERVAL_SECONDS',
  'LEASE_SECONDS',
  'DEFAULT_LIMIT',
  'AT_LIMIT',
  'LIMIT_SCOPE',
  'COUNTING_STRATEGY',
  'MAX_SESSION_SECONDS',
  'TOKEN_TTL_SECONDS',
  'FAILURE_MODE',
  'MOMENTO_TIMEOUT_MS',
  'ADMISSION_HOOK_ARN',
  'ACCOUNT_SOURCE',
  'ACCOUNT_CLAIM',
  'EVENT_BUS_NAME',
  'POWERTOOLS_SERVICE_NAME',
  'POWERTOOLS_METRICS_NAMESPACE',
  'MOMENTO_ENDPOINT',
  'MOMENTO_LOCAL_ENDPOINT',
] as const;

/** The name of one environment variable of the runtime contract. */
export type EnvironmentVariable = (typeof ENVIRONMENT_VARIABLES)[number];

/** How often a device heartbeats unless told otherwise. */
const HEARTBEAT_INTERVAL_SECONDS = 10;

/** The default lease is this many heartbeat intervals: a device may miss two heartbeats. */
export const DEFAULT_LEASE_INTERVALS = 3;

/**
 * What the runtime uses for a variable that is unset, and the construct for the prop that sets it
 * (`heartbeatInterval` 10 s gives `HEARTBEAT_INTERVAL_SECONDS=10`): the defaults, written once.
 * The README's and docs/construct.md's "Default settings" tables are checked against these by
 * test/lib/documented-defaults.test.ts.
 */
export const ENVIRONMENT_DEFAULTS = {
  HEARTBEAT_TOPIC: 'heartbeat',
  TOPIC_SHARDS: 1,
  CONTROL_TOPIC_PREFIX: 'control-',
  HEALTH_PORT: 8080,
  HEARTBEAT_INTERVAL_SECONDS,
  LEASE_SECONDS: DEFAULT_LEASE_INTERVALS * HEARTBEAT_INTERVAL_SECONDS,
  DEFAULT_LIMIT: 3,
  AT_LIMIT: 'reject',
  LIMIT_SCOPE: 'account',
  COUNTING_STRATEGY: 'leases',
  /** 0: no maximum session duration. */
  MAX_SESSION_SECONDS: 0,
  TOKEN_TTL_SECONDS: 60 * 60,
  FAILURE_MODE: 'closed',
  MOMENTO_TIMEOUT_MS: 2000,
  /**
   * Runtime only: the construct always sets `ACCOUNT_SOURCE` (`iam` unless its authorization is a
   * Cognito or JWT one), so this default applies to a process run by hand.
   */
  ACCOUNT_SOURCE: 'claim',
  ACCOUNT_CLAIM: 'sub',
  /** Runtime only: the construct names each component (`token-vending`, ...). */
  POWERTOOLS_SERVICE_NAME: 'concurrency-tracker',
  POWERTOOLS_METRICS_NAMESPACE: 'ConcurrencyTracker',
} as const satisfies Partial<Record<EnvironmentVariable, string | number>> & {
  readonly AT_LIMIT: AtLimitBehavior;
  readonly LIMIT_SCOPE: LimitScope;
  readonly COUNTING_STRATEGY: CountingStrategyName;
  readonly FAILURE_MODE: FailureMode;
  readonly ACCOUNT_SOURCE: AccountSource;
};
