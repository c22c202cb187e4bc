/** The `source` of every lifecycle event the runtime puts on EventBridge. */
export const LIFECYCLE_EVENT_SOURCE = 'cdk-concurrency-tracker';

/** The detail-types of the lifecycle events (docs/architecture.md, "Lifecycle events"). */
export const LIFECYCLE_DETAIL_TYPES = [
  'Session Admitted',
  'Session Denied',
  'Session Evicted',
  'Session Stopped',
  'Session Expired',
] as const;

/** One lifecycle event's detail-type. */
export type LifecycleDetailType = (typeof LIFECYCLE_DETAIL_TYPES)[number];
