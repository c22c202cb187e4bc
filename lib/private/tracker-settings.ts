import { Duration } from 'aws-cdk-lib';
import {
  AtLimitBehavior,
  ConcurrencyTrackerProps,
  CountingStrategy,
  FailureMode,
  LimitScope,
} from '../concurrency-tracker-props';
import { TrackerAuthorization } from '../tracker-authorization';
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

/** Default values of the props (documented in the props' `@default` tags and docs/construct.md). */
export const DEFAULTS = {
  cacheName: 'concurrency-tracker',
  heartbeatTopicName: 'heartbeat',
  controlTopicPrefix: 'control-',
  heartbeatIntervalSeconds: 10,
  leaseIntervals: 3,
  defaultLimit: 3,
  tokenLifetimeHours: 1,
  momentoTimeoutSeconds: 2,
  apiRateLimit: 50,
  apiBurstLimit: 100,
  subscriberCpu: 256,
  subscriberMemoryMiB: 512,
  subscriberDesiredCount: 2,
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
      props.leaseDuration ?? Duration.seconds(heartbeatInterval.toSeconds({ integral: false }) * DEFAULTS.leaseIntervals),
    defaultLimit: props.defaultLimit ?? DEFAULTS.defaultLimit,
    atLimit: props.atLimit ?? AtLimitBehavior.REJECT,
    limitScope: props.limitScope ?? LimitScope.ACCOUNT,
    countingStrategy: props.countingStrategy ?? CountingStrategy.LEASES,
    maxSessionDuration: props.maxSessionDuration,
    tokenLifetime: props.tokenLifetime ?? Duration.hours(DEFAULTS.tokenLifetimeHours),
    failureMode: props.failureMode ?? FailureMode.CLOSED,
    momentoTimeout: props.momentoTimeout ?? Duration.seconds(DEFAULTS.momentoTimeoutSeconds),
    authorization: props.authorization ?? TrackerAuthorization.iam(),
    apiThrottle: {
      rateLimit: props.apiThrottle?.rateLimit ?? DEFAULTS.apiRateLimit,
      burstLimit: props.apiThrottle?.burstLimit ?? DEFAULTS.apiBurstLimit,
    },
    topicShards: props.topicShards ?? 1,
    subscriberGroups: props.subscriberGroups ?? 1,
    subscriberCpu: props.subscriberCpu ?? DEFAULTS.subscriberCpu,
    subscriberMemoryMiB: props.subscriberMemoryMiB ?? DEFAULTS.subscriberMemoryMiB,
    subscriberDesiredCount: props.subscriberDesiredCount ?? DEFAULTS.subscriberDesiredCount,
    lifecycleEvents: props.lifecycleEvents ?? true,
    metricsNamespace: props.metricsNamespace ?? DEFAULT_METRICS_NAMESPACE,
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
