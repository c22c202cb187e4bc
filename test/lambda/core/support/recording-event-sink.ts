import type {
  LifecycleDetailType,
  LifecycleEvent,
  LifecycleEventSink,
} from '../../../../lambda/core/ports/lifecycle-event-sink';

/** Keeps lifecycle events in memory (tests and benchmarks). */
export class RecordingEventSink implements LifecycleEventSink {
  readonly events: LifecycleEvent[] = [];
  async emit(event: LifecycleEvent): Promise<void> {
    this.events.push(event);
  }
  ofType(detailType: LifecycleDetailType): LifecycleEvent[] {
    return this.events.filter((event) => event.detailType === detailType);
  }
}
