/**
 * The metrics the runtime emits (docs/architecture.md, "Metrics"). Names come from here only, so
 * the `metricXxx()` methods, the dashboard and the alarms cannot drift from each other.
 */
export const TRACKER_METRIC_NAMES = [
  'AdmissionsGranted',
  'AdmissionsDenied',
  'AdmissionsDegraded',
  'Evictions',
  'TokensMinted',
  'TokensReused',
  'EntitlementChecks',
  'SessionsEnded',
  'HeartbeatsProcessed',
  'HeartbeatsRejected',
  'HeartbeatsThrottled',
  'SessionsExpired',
  'SessionsStopped',
  'SubscriberReconnects',
  'SubscriberWaiting',
  'MomentoErrors',
] as const;

/** A metric name from the runtime contract. */
export type TrackerMetricName = (typeof TRACKER_METRIC_NAMES)[number];

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
export const DEFAULT_METRICS_NAMESPACE = 'ConcurrencyTracker';

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
