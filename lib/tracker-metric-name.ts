/**
 * A metric the runtime emits (docs/architecture.md, "Metrics"). An enum rather than a string, so a
 * misspelt name fails where it is written, in every jsii language. Its values are the contract's
 * metric names (`test/lib/contract.test.ts` checks the two agree).
 */
export enum TrackerMetricName {
  /** Devices admitted. */
  ADMISSIONS_GRANTED = 'AdmissionsGranted',
  /** Admissions refused (limit reached or the admission hook said no). */
  ADMISSIONS_DENIED = 'AdmissionsDenied',
  /** Admissions (and entitlement checks) answered without Momento under `FailureMode.OPEN`. */
  ADMISSIONS_DEGRADED = 'AdmissionsDegraded',
  /** Sessions evicted to admit a newer device. */
  EVICTIONS = 'Evictions',
  /** Disposable tokens minted. */
  TOKENS_MINTED = 'TokensMinted',
  /** Cached disposable tokens handed out again. */
  TOKENS_REUSED = 'TokensReused',
  /** Entitlement checks answered. */
  ENTITLEMENT_CHECKS = 'EntitlementChecks',
  /** Sessions ended through `DELETE`. */
  SESSIONS_ENDED = 'SessionsEnded',
  /** Heartbeats recorded by the subscriber. */
  HEARTBEATS_PROCESSED = 'HeartbeatsProcessed',
  /** Heartbeat messages refused as malformed or unauthorised. */
  HEARTBEATS_REJECTED = 'HeartbeatsRejected',
  /** Device messages dropped because one account exceeded its per-account bounds. */
  HEARTBEATS_THROTTLED = 'HeartbeatsThrottled',
  /** Sessions that expired. */
  SESSIONS_EXPIRED = 'SessionsExpired',
  /** Sessions stopped by a device's stop message. */
  SESSIONS_STOPPED = 'SessionsStopped',
  /** Subscriber reconnections to the heartbeat topic. */
  SUBSCRIBER_RECONNECTS = 'SubscriberReconnects',
  /** Times a subscriber task reported that it waits for its key or the cache. */
  SUBSCRIBER_WAITING = 'SubscriberWaiting',
  /** Failed Momento calls of one component. */
  MOMENTO_ERRORS = 'MomentoErrors',
}
