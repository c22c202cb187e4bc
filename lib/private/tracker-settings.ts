import { Duration } from 'aws-cdk-lib';
import {
  AtLimitBehavior,
  ConcurrencyTrackerProps,
  CountingStrategy,
  FailureMode,
  LimitScope,
} from '../concurrency-tracker-props';
import { TrackerAuthorization } from '../tracker-authorization';
import { DEFAULT_LEASE_INTERVALS, ENVIRONMENT_DEFAULTS as RUNTIME } from '../../contract/environment';
import { DEFAULT_METRICS_NAMESPACE } from '../tracker-metric-names';

/** Stage throttling with the defaults applied. */
export interface ResolvedApiThrottle {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

/** The runtime settings with every default applied; the single place defaults live. */
export interface TrackerSettings {
  readonly momentoEndpoint?: string;
  readonly cacheName: string;
  readonly heartbeatTopicName: string;
  readonly controlTopicPrefix: string;
  readonly heartbeatInterval: Duration;
  readonly leaseDuration: Duration;
  readonly defaultLimit: number;
  readonly atLimit: AtLimitBehavior;
  readonly limitScope: LimitScope;
  readonly countingStrategy: CountingStrategy;
  readonly maxSessionDuration?: Duration;
  readonly tokenLifetime: Duration;
  readonly failureMode: FailureMode;
  readonly momentoTimeout: Duration;
  readonly authorization: TrackerAuthorization;
  readonly apiThrottle: ResolvedApiThrottle;
  readonly topicShards: number;
  readonly subscriberGroups: number;
  readonly subscriberCpu: number;
  readonly subscriberMemoryMiB: number;
  readonly subscriberDesiredCount: number;
  readonly lifecycleEvents: boolean;
  readonly metricsNamespace: string;
}

/**
 * Default values of the props (documented in the props' `@default` tags, the README and
 * docs/construct.md, whose tables test/lib/documented-defaults.test.ts checks). Those that
 * reach the runtime come from the contract's `ENVIRONMENT_DEFAULTS`, which the runtime applies to an
 * unset variable; the others are the construct's own.
 */
export const DEFAULTS = {
  cacheName: 'concurrency-tracker',
  heartbeatTopicName: RUNTIME.HEARTBEAT_TOPIC,
  controlTopicPrefix: RUNTIME.CONTROL_TOPIC_PREFIX,
  heartbeatIntervalSeconds: RUNTIME.HEARTBEAT_INTERVAL_SECONDS,
  leaseIntervals: DEFAULT_LEASE_INTERVALS,
  defaultLimit: RUNTIME.DEFAULT_LIMIT,
  atLimit: RUNTIME.AT_LIMIT as AtLimitBehavior,
  limitScope: RUNTIME.LIMIT_SCOPE as LimitScope,
  countingStrategy: RUNTIME.COUNTING_STRATEGY as CountingStrategy,
  tokenLifetimeSeconds: RUNTIME.TOKEN_TTL_SECONDS,
  failureMode: RUNTIME.FAILURE_MODE as FailureMode,
  momentoTimeoutMs: RUNTIME.MOMENTO_TIMEOUT_MS,
  topicShards: RUNTIME.TOPIC_SHARDS,
  subscriberGroups: 1,
  apiRateLimit: 50,
  apiBurstLimit: 100,
  subscriberCpu: 256,
  subscriberMemoryMiB: 512,
  subscriberDesiredCount: 2,
  metricsNamespace: DEFAULT_METRICS_NAMESPACE,
} as const;

/** Applies the defaults to the props. */
export function resolveSettings(props: ConcurrencyTrackerProps): TrackerSettings {
  const heartbeatInterval = props.heartbeatInterval ?? Duration.seconds(DEFAULTS.heartbeatIntervalSeconds);
  return {
    momentoEndpoint: props.momentoEndpoint,
    cacheName: props.cacheName ?? DEFAULTS.cacheName,
    heartbeatTopicName: props.heartbeatTopicName ?? DEFAULTS.heartbeatTopicName,
    controlTopicPrefix: props.controlTopicPrefix ?? DEFAULTS.controlTopicPrefix,
    heartbeatInterval,
    leaseDuration:
      props.leaseDuration ??
      Duration.seconds(heartbeatInterval.toSeconds({ integral: false }) * DEFAULTS.leaseIntervals),
    defaultLimit: props.defaultLimit ?? DEFAULTS.defaultLimit,
    atLimit: props.atLimit ?? DEFAULTS.atLimit,
    limitScope: props.limitScope ?? DEFAULTS.limitScope,
    countingStrategy: props.countingStrategy ?? DEFAULTS.countingStrategy,
    maxSessionDuration: props.maxSessionDuration,
    tokenLifetime: props.tokenLifetime ?? Duration.seconds(DEFAULTS.tokenLifetimeSeconds),
    failureMode: props.failureMode ?? DEFAULTS.failureMode,
    momentoTimeout: props.momentoTimeout ?? Duration.millis(DEFAULTS.momentoTimeoutMs),
    authorization: props.authorization ?? TrackerAuthorization.iam(),
    apiThrottle: {
      rateLimit: props.apiThrottle?.rateLimit ?? DEFAULTS.apiRateLimit,
      burstLimit: props.apiThrottle?.burstLimit ?? DEFAULTS.apiBurstLimit,
    },
    topicShards: props.topicShards ?? DEFAULTS.topicShards,
    subscriberGroups: props.subscriberGroups ?? DEFAULTS.subscriberGroups,
    subscriberCpu: props.subscriberCpu ?? DEFAULTS.subscriberCpu,
    subscriberMemoryMiB: props.subscriberMemoryMiB ?? DEFAULTS.subscriberMemoryMiB,
    subscriberDesiredCount: props.subscriberDesiredCount ?? DEFAULTS.subscriberDesiredCount,
    lifecycleEvents: props.lifecycleEvents ?? true,
    metricsNamespace: props.metricsNamespace ?? DEFAULTS.metricsNamespace,
  };
}

/**
 * The shards of each subscriber group: `groups` contiguous, near-equal slices of `0..shards-1`.
 * E.g. 5 shards over 2 groups gives [[0,1,2],[3,4]].
 */
export function shardGroups(shards: number, groups: number): number[][] {
  const result: number[][] = [];
  let next = 0;
  for (let g = 0; g < groups; g++) {
    const size = Math.floor(shards / groups) + (g < shards % groups ? 1 : 0);
    result.push(Array.from({ length: size }, (_, i) => next + i));
    next += size;
  }
  return result;
}
