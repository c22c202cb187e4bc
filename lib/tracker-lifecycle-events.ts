import * as events from 'aws-cdk-lib/aws-events';
import { LIFECYCLE_EVENT_SOURCE, LifecycleEventType } from './lifecycle-events';

/**
 * The lifecycle events the runtime puts on EventBridge (docs/architecture.md, "Lifecycle events"),
 * as class members so that they reach every jsii language (a module-level constant would not).
 *
 * @exampleMetadata fixture=example
 * @example
 * new events.Rule(this, 'Evictions', {
 *   eventBus: tracker.eventBus,
 *   eventPattern: TrackerLifecycleEvents.eventPattern(LifecycleEventType.SESSION_EVICTED),
 * });
 */
export class TrackerLifecycleEvents {
  /** The `source` of every lifecycle event. */
  public static readonly SOURCE: string = LIFECYCLE_EVENT_SOURCE;

  /**
   * An event pattern matching the tracker's lifecycle events of the given detail-types (every
   * lifecycle event when none is given).
   */
  public static eventPattern(...detailTypes: LifecycleEventType[]): events.EventPattern {
    return {
      source: [LIFECYCLE_EVENT_SOURCE],
      ...(detailTypes.length > 0 ? { detailType: detailTypes.map((type) => type as string) } : {}),
    };
  }

  private constructor() {}
}
