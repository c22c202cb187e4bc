/**
 * The metrics the runtime emits (docs/architecture.md, "Metrics"): the runtime counts them under
 * these names and the construct's `metricXxx()` methods, dashboard and alarms read them.
 */
export const METRIC_NAMES = [
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
export type MetricName = (typeof METRIC_NAMES)[number];
