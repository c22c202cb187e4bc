import { ENVIRONMENT_DEFAULTS, type EnvironmentVariable } from '../../contract/environment';
import { AuthorizationKind } from '../tracker-authorization';
import { TrackerComponent } from '../tracker-metric-names';
import { TrackerSettings } from './tracker-settings';

/** What the environment of one component needs besides the settings. */
export interface RuntimeEnvironmentInputs {
  /** Name of the lifecycle event bus; undefined when events are off. */
  readonly eventBusName?: string;
  /** ARN of the auth-key secret (token vending only). */
  readonly authKeySecretArn?: string;
  /** ARN of the data-key secret (the Lambdas and the subscriber read the key by ARN at run time). */
  readonly dataKeySecretArn?: string;
  /** ARN of the per-session key secret (token vending and the subscriber). */
  readonly sessionKeySecretArn?: string;
  /** ARN of the admission hook (token vending only). */
  readonly admissionHookArn?: string;
  /** Shards this subscriber group subscribes to (subscriber only). */
  readonly subscriberShards?: number[];
  /** Port of the subscriber's health endpoint (subscriber only). */
  readonly healthPort?: number;
}

/**
 * The environment of one runtime component, with the variable names of the contract in
 * docs/architecture.md. No value is key material: secrets travel as ARNs or ECS secrets.
 */
export function runtimeEnvironment(
  component: TrackerComponent,
  s: TrackerSettings,
  inputs: RuntimeEnvironmentInputs,
): Record<string, string> {
  // Typed by the contract's names, so a misspelt variable does not compile.
  const env: Partial<Record<EnvironmentVariable, string>> = {
    CACHE_NAME: s.cacheName,
    HEARTBEAT_TOPIC: s.heartbeatTopicName,
    TOPIC_SHARDS: String(s.topicShards),
    CONTROL_TOPIC_PREFIX: s.controlTopicPrefix,
    HEARTBEAT_INTERVAL_SECONDS: String(s.heartbeatInterval.toSeconds()),
    LEASE_SECONDS: String(s.leaseDuration.toSeconds()),
    DEFAULT_LIMIT: String(s.defaultLimit),
    LIMIT_SCOPE: s.limitScope,
    COUNTING_STRATEGY: s.countingStrategy,
    MAX_SESSION_SECONDS: String(s.maxSessionDuration ? s.maxSessionDuration.toSeconds() : 0),
    MOMENTO_TIMEOUT_MS: String(s.momentoTimeout.toMilliseconds()),
    POWERTOOLS_SERVICE_NAME: component,
    POWERTOOLS_METRICS_NAMESPACE: s.metricsNamespace,
  };
  if (inputs.eventBusName) env.EVENT_BUS_NAME = inputs.eventBusName;
  if (s.momentoEndpoint) env.MOMENTO_ENDPOINT = s.momentoEndpoint;

  if (component === TrackerComponent.HEARTBEAT_SUBSCRIBER) {
    env.SUBSCRIBER_SHARDS = (inputs.subscriberShards ?? [0]).join(',');
    env.HEALTH_PORT = String(inputs.healthPort ?? ENVIRONMENT_DEFAULTS.HEALTH_PORT);
    if (inputs.dataKeySecretArn) env.DATA_KEY_SECRET_ARN = inputs.dataKeySecretArn;
    if (inputs.sessionKeySecretArn) env.SESSION_KEY_SECRET_ARN = inputs.sessionKeySecretArn;
    return env as Record<string, string>;
  }

  // The request-path Lambdas.
  env.FAILURE_MODE = s.failureMode;
  env.ACCOUNT_SOURCE = s.authorization.kind === AuthorizationKind.IAM ? 'iam' : 'claim';
  if (s.authorization.accountClaim) env.ACCOUNT_CLAIM = s.authorization.accountClaim;
  if (inputs.dataKeySecretArn) env.DATA_KEY_SECRET_ARN = inputs.dataKeySecretArn;
  if (component === TrackerComponent.TOKEN_VENDING) {
    env.AT_LIMIT = s.atLimit;
    env.TOKEN_TTL_SECONDS = String(s.tokenLifetime.toSeconds());
    if (inputs.authKeySecretArn) env.AUTH_KEY_SECRET_ARN = inputs.authKeySecretArn;
    if (inputs.admissionHookArn) env.ADMISSION_HOOK_ARN = inputs.admissionHookArn;
    if (inputs.sessionKeySecretArn) env.SESSION_KEY_SECRET_ARN = inputs.sessionKeySecretArn;
  }
  return env as Record<string, string>;
}
