/**
 * The lifecycle events the runtime puts on EventBridge (docs/architecture.md, "Lifecycle events").
 * Exported so a consumer's `events.Rule` can match them without repeating the strings.
 */
export { LIFECYCLE_EVENT_SOURCE } from '../contract/lifecycle-events';

/**
 * Detail-type of each lifecycle event. A TypeScript enum (what jsii turns into an enum in every
 * language) cannot take its values from the contract's list, so they are written here again and
 * `test/lib/contract.test.ts` checks at compile time that they are the contract's
 * `LIFECYCLE_DETAIL_TYPES`.
 */
export enum LifecycleEventType {
  /** A device was admitted and holds a lease. */
  SESSION_ADMITTED = 'Session Admitted',
  /** An admission was refused (limit reached or the admission hook said no). */
  SESSION_DENIED = 'Session Denied',
  /** A session lost its lease to a newer device (at-limit behaviour `evict-oldest`). */
  SESSION_EVICTED = 'Session Evicted',
  /** A session ended on purpose (stop message or `DELETE`). */
  SESSION_STOPPED = 'Session Stopped',
  /** A session's heartbeats stopped or it reached the maximum session duration. */
  SESSION_EXPIRED = 'Session Expired',
}
