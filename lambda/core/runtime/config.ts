import * as z from 'zod';
import { ENVIRONMENT_DEFAULTS as DEFAULT, type EnvironmentVariable } from '../../../contract/environment';
import { MOMENTO_ENDPOINT_HOST } from '../../../contract/identifiers';
import { MAX_LIMIT, MAX_TOKEN_TTL_SECONDS, MAX_TOPIC_SHARDS } from '../../../contract/limits';
import {
  ACCOUNT_SOURCES,
  AT_LIMIT_BEHAVIORS,
  COUNTING_STRATEGIES,
  FAILURE_MODES,
  LIMIT_SCOPES,
  type AccountSource,
  type AtLimitBehavior,
  type CountingStrategyName,
  type FailureMode,
  type LimitScope,
} from '../../../contract/settings';
import { optionalText, wholeNumberVariable } from './environment-values';
import { describeSettingIssues } from '../schema-issues';

export { MAX_LIMIT, MAX_TOKEN_TTL_SECONDS };
export type { AtLimitBehavior, CountingStrategyName, FailureMode, LimitScope };

const positiveInt = (name: string, fallback: number, max?: number) =>
  wholeNumberVariable(name, fallback, { min: 1, max });
const nonNegativeInt = (name: string, fallback: number) => wholeNumberVariable(name, fallback, { min: 0 });

/**
 * Momento's endpoint for v2 API keys: a host name such as
 * `cell-4-us-west-2-1.prod.a.momentohq.com`, to which the SDK prefixes `cache.`, `control.` and
 * `token.`; so no scheme, port or path.
 */
const momentoEndpoint = z
  .string()
  .optional()
  .transform((value, ctx) => {
    if (value === undefined || value.trim() === '') return undefined;
    const host = value.trim();
    if (!MOMENTO_ENDPOINT_HOST.test(host)) {
      ctx.addIssue({
        code: 'custom',
        message: `MOMENTO_ENDPOINT must be a host name such as cell-4-us-west-2-1.prod.a.momentohq.com (no scheme, port or path), got "${value}"`,
      });
      return z.NEVER;
    }
    return host.toLowerCase();
  });

const shardList = z
  .string()
  .optional()
  .transform((value, ctx) => {
    if (value === undefined || value.trim() === '') return undefined;
    const parts = value.split(',').map((part) => part.trim());
    const shards = parts.map(Number);
    if (shards.some((shard) => !Number.isInteger(shard) || shard < 0)) {
      ctx.addIssue({
        code: 'custom',
        message: `SUBSCRIBER_SHARDS must be comma-separated shard indices, got "${value}"`,
      });
      return z.NEVER;
    }
    return [...new Set(shards)].sort((a, b) => a - b);
  });

/**
 * The environment contract of docs/architecture.md ("Environment variables"): every variable of
 * the contract's list (`satisfies` fails to compile when one is missing or misspelt), and the
 * contract's defaults for those left unset.
 */
const runtimeEnvironment = z
  .object({
    CACHE_NAME: z.string().trim().min(1, 'CACHE_NAME is required'),
    HEARTBEAT_TOPIC: z.string().trim().min(1).default(DEFAULT.HEARTBEAT_TOPIC),
    TOPIC_SHARDS: positiveInt('TOPIC_SHARDS', DEFAULT.TOPIC_SHARDS, MAX_TOPIC_SHARDS),
    CONTROL_TOPIC_PREFIX: z.string().default(DEFAULT.CONTROL_TOPIC_PREFIX),
    AUTH_KEY_SECRET_ARN: optionalText,
    DATA_KEY_SECRET_ARN: optionalText,
    MOMENTO_DATA_KEY: optionalText,
    SESSION_KEY_SECRET_ARN: optionalText,
    SESSION_KEY_SECRET: optionalText,
    SUBSCRIBER_SHARDS: shardList,
    HEALTH_PORT: nonNegativeInt('HEALTH_PORT', DEFAULT.HEALTH_PORT),
    HEARTBEAT_INTERVAL_SECONDS: positiveInt('HEARTBEAT_INTERVAL_SECONDS', DEFAULT.HEARTBEAT_INTERVAL_SECONDS, 3600),
    LEASE_SECONDS: positiveInt('LEASE_SECONDS', DEFAULT.LEASE_SECONDS, 86400),
    DEFAULT_LIMIT: positiveInt('DEFAULT_LIMIT', DEFAULT.DEFAULT_LIMIT, MAX_LIMIT),
    AT_LIMIT: z.enum(AT_LIMIT_BEHAVIORS).default(DEFAULT.AT_LIMIT),
    LIMIT_SCOPE: z.enum(LIMIT_SCOPES).default(DEFAULT.LIMIT_SCOPE),
    COUNTING_STRATEGY: z.enum(COUNTING_STRATEGIES).default(DEFAULT.COUNTING_STRATEGY),
    MAX_SESSION_SECONDS: nonNegativeInt('MAX_SESSION_SECONDS', DEFAULT.MAX_SESSION_SECONDS),
    TOKEN_TTL_SECONDS: positiveInt('TOKEN_TTL_SECONDS', DEFAULT.TOKEN_TTL_SECONDS, MAX_TOKEN_TTL_SECONDS),
    FAILURE_MODE: z.enum(FAILURE_MODES).default(DEFAULT.FAILURE_MODE),
    MOMENTO_TIMEOUT_MS: positiveInt('MOMENTO_TIMEOUT_MS', DEFAULT.MOMENTO_TIMEOUT_MS, 60000),
    ADMISSION_HOOK_ARN: optionalText,
    ACCOUNT_SOURCE: z.enum(ACCOUNT_SOURCES).default(DEFAULT.ACCOUNT_SOURCE),
    ACCOUNT_CLAIM: z.string().trim().min(1).default(DEFAULT.ACCOUNT_CLAIM),
    EVENT_BUS_NAME: optionalText,
    POWERTOOLS_SERVICE_NAME: z.string().trim().min(1).default(DEFAULT.POWERTOOLS_SERVICE_NAME),
    POWERTOOLS_METRICS_NAMESPACE: z.string().trim().min(1).default(DEFAULT.POWERTOOLS_METRICS_NAMESPACE),
    MOMENTO_ENDPOINT: momentoEndpoint,
    MOMENTO_LOCAL_ENDPOINT: z
      .string()
      .optional()
      .transform((value, ctx) => {
        if (value === undefined || value.trim() === '') return undefined;
        const match = /^([^:\s]+):(\d{1,5})$/.exec(value.trim());
        if (!match) {
          ctx.addIssue({ code: 'custom', message: `MOMENTO_LOCAL_ENDPOINT must be host:port, got "${value}"` });
          return z.NEVER;
        }
        return { hostname: match[1], port: Number(match[2]) };
      }),
  } satisfies Record<EnvironmentVariable, z.ZodType>)
  .superRefine((env, ctx) => {
    if (env.LEASE_SECONDS <= env.HEARTBEAT_INTERVAL_SECONDS) {
      ctx.addIssue({
        code: 'custom',
        path: ['LEASE_SECONDS'],
        message: `LEASE_SECONDS (${env.LEASE_SECONDS}) must be longer than HEARTBEAT_INTERVAL_SECONDS (${env.HEARTBEAT_INTERVAL_SECONDS}), or every lease expires between two heartbeats`,
      });
    }
    if (env.SUBSCRIBER_SHARDS?.some((shard) => shard >= env.TOPIC_SHARDS)) {
      ctx.addIssue({
        code: 'custom',
        path: ['SUBSCRIBER_SHARDS'],
        message: `SUBSCRIBER_SHARDS (${env.SUBSCRIBER_SHARDS.join(',')}) names a shard outside 0..${env.TOPIC_SHARDS - 1}`,
      });
    }
  });

/** The runtime configuration every handler and the subscriber share, in the engine's words. */
export interface RuntimeConfig {
  readonly cacheName: string;
  readonly heartbeatTopic: string;
  readonly topicShards: number;
  readonly controlTopicPrefix: string;
  readonly authKeySecretArn?: string;
  readonly dataKeySecretArn?: string;
  /** The data key itself (subscriber only, injected by ECS). Never log it. */
  readonly momentoDataKey?: string;
  /** Secret of the per-session keys (token vending), read by ARN. */
  readonly sessionKeySecretArn?: string;
  /** The per-session key secret itself (subscriber, injected by ECS; or local runs). Never log it. */
  readonly sessionKeySecret?: string;
  /** Shards this subscriber process serves; all shards when unset. */
  readonly subscriberShards: readonly number[];
  readonly healthPort: number;
  readonly heartbeatIntervalSeconds: number;
  readonly leaseSeconds: number;
  readonly defaultLimit: number;
  readonly atLimit: AtLimitBehavior;
  readonly limitScope: LimitScope;
  readonly countingStrategy: CountingStrategyName;
  /** 0: no maximum. */
  readonly maxSessionSeconds: number;
  readonly tokenTtlSeconds: number;
  readonly failureMode: FailureMode;
  readonly momentoTimeoutMs: number;
  readonly admissionHookArn?: string;
  readonly accountSource: AccountSource;
  readonly accountClaim: string;
  readonly eventBusName?: string;
  readonly serviceName: string;
  readonly metricsNamespace: string;
  /** Momento's endpoint (host name), which v2 API keys need; legacy keys carry their own. */
  readonly momentoEndpoint?: string;
  /** Local runs only: the emulator's address; no secret is read when set. */
  readonly momentoLocalEndpoint?: { readonly hostname: string; readonly port: number };
}

/** Thrown for an environment the runtime cannot run with; the message lists every problem. */
export class RuntimeConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid runtime configuration: ${problems.join('; ')}`);
    this.name = 'RuntimeConfigError';
  }
}

/**
 * Parses and checks the environment contract. Throws {@link RuntimeConfigError} naming every
 * variable that is wrong, so a misconfigured deployment fails at cold start with a clear message.
 */
export function parseRuntimeConfig(env: Record<string, string | undefined>): RuntimeConfig {
  const result = runtimeEnvironment.safeParse(env);
  if (!result.success) {
    throw new RuntimeConfigError(describeSettingIssues(result.error));
  }
  const e = result.data;
  return {
    cacheName: e.CACHE_NAME,
    heartbeatTopic: e.HEARTBEAT_TOPIC,
    topicShards: e.TOPIC_SHARDS,
    controlTopicPrefix: e.CONTROL_TOPIC_PREFIX,
    authKeySecretArn: e.AUTH_KEY_SECRET_ARN,
    dataKeySecretArn: e.DATA_KEY_SECRET_ARN,
    momentoDataKey: e.MOMENTO_DATA_KEY,
    sessionKeySecretArn: e.SESSION_KEY_SECRET_ARN,
    sessionKeySecret: e.SESSION_KEY_SECRET,
    subscriberShards: e.SUBSCRIBER_SHARDS ?? Array.from({ length: e.TOPIC_SHARDS }, (_, shard) => shard),
    healthPort: e.HEALTH_PORT,
    heartbeatIntervalSeconds: e.HEARTBEAT_INTERVAL_SECONDS,
    leaseSeconds: e.LEASE_SECONDS,
    defaultLimit: e.DEFAULT_LIMIT,
    atLimit: e.AT_LIMIT,
    limitScope: e.LIMIT_SCOPE,
    countingStrategy: e.COUNTING_STRATEGY,
    maxSessionSeconds: e.MAX_SESSION_SECONDS,
    tokenTtlSeconds: e.TOKEN_TTL_SECONDS,
    failureMode: e.FAILURE_MODE,
    momentoTimeoutMs: e.MOMENTO_TIMEOUT_MS,
    admissionHookArn: e.ADMISSION_HOOK_ARN,
    accountSource: e.ACCOUNT_SOURCE,
    accountClaim: e.ACCOUNT_CLAIM,
    eventBusName: e.EVENT_BUS_NAME,
    serviceName: e.POWERTOOLS_SERVICE_NAME,
    metricsNamespace: e.POWERTOOLS_METRICS_NAMESPACE,
    momentoEndpoint: e.MOMENTO_ENDPOINT,
    momentoLocalEndpoint: e.MOMENTO_LOCAL_ENDPOINT,
  };
}
