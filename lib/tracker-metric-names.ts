import { ENVIRONMENT_DEFAULTS } from '../contract/environment';
import { METRIC_NAMES, type MetricName } from '../contract/metric-names';

/**
 * The metrics the runtime emits (docs/architecture.md, "Metrics"), from the shared contract
 * (`contract/metric-names.ts`), so the `metricXxx()` methods, the dashboard, the alarms and the
 * runtime cannot drift from each other.
 */
export const TRACKER_METRIC_NAMES = METRIC_NAMES;

/** A metric name from the runtime contract. */
export type TrackerMetricName = MetricName;

/** The runtime components; each is the value of the `service` dimension of its metrics. */
export enum TrackerComponent {
  /** The token-vending Lambda (`POST /tokens`). */
  TOKEN_VENDING = 'token-vending',
  /** The entitlement Lambda (`GET` and `DELETE` on `/accounts/{accountId}/sessions[/{sessionId}]`). */
  ENTITLEMENT = 'entitlement',
  /** The heartbeat subscriber on Fargate. */
  HEARTBEAT_SUBSCRIBER = 'heartbeat-subscriber',
}

/** Default CloudWatch namespace of the runtime's metrics. */
export const DEFAULT_METRICS_NAMESPACE = ENVIRONMENT_DEFAULTS.POWERTOOLS_METRICS_NAMESPACE;

/** Which component emits each metric (the `service` dimension the metric is published under). */
export const METRIC_EMITTER: Record<TrackerMetricName, TrackerComponent> = {
  AdmissionsGranted: TrackerComponent.TOKEN_VENDING,
  AdmissionsDenied: TrackerComponent.TOKEN_VENDING,
  // Also emitted by the entitlement Lambda for checks answered degraded; pick it explicitly.
  AdmissionsDegraded: TrackerComponent.TOKEN_VENDING,
  Evictions: TrackerComponent.TOKEN_VENDING,
  TokensMinted: TrackerComponent.TOKEN_VENDING,
  TokensReused: TrackerComponent.TOKEN_VENDING,
  EntitlementChecks: TrackerComponent.ENTITLEMENT,
  SessionsEnded: TrackerComponent.ENTITLEMENT,
  HeartbeatsProcessed: TrackerComponent.HEARTBEAT_SUBSCRIBER,
  HeartbeatsRejected: TrackerComponent.HEARTBEAT_SUBSCRIBER,
  HeartbeatsThrottled: TrackerComponent.HEARTBEAT_SUBSCRIBER,
  SessionsExpired: TrackerComponent.HEARTBEAT_SUBSCRIBER,
  SessionsStopped: TrackerComponent.HEARTBEAT_SUBSCRIBER,
  SubscriberReconnects: TrackerComponent.HEARTBEAT_SUBSCRIBER,
  SubscriberWaiting: TrackerComponent.HEARTBEAT_SUBSCRIBER,
  // Emitted by every component; the token-vending one is the default, pick others explicitly.
  MomentoErrors: TrackerComponent.TOKEN_VENDING,
};
