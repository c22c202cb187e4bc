import type { LifecycleEvent, LifecycleEventSink } from '../../lambda/core/ports/lifecycle-event-sink';
import type { DashboardEvent } from './dashboard-state';

/**
 * The engine's lifecycle events, caught in-process instead of sent to EventBridge, and turned into
 * lines of the dashboard's event stream. Duplicates (same `eventId`, e.g. from a retried call) are
 * shown once, as an EventBridge consumer would drop them.
 */
export class DashboardEventSink implements LifecycleEventSink {
  private readonly seen = new Set<string>();

  constructor(private readonly record: (event: DashboardEvent) => void) {}

  async emit(event: LifecycleEvent): Promise<void> {
    const { detail } = event;
    if (this.seen.has(detail.eventId)) return;
    this.seen.add(detail.eventId);
    if (this.seen.size > 5000) this.seen.delete(this.seen.values().next().value as string);
    this.record({
      id: detail.eventId,
      type: event.detailType,
      time: detail.at,
      accountId: detail.accountId,
      sessionId: detail.sessionId,
      deviceId: detail.deviceId,
      summary: summarise(event),
    });
  }
}

function summarise({ detailType, detail }: LifecycleEvent): string {
  const device = detail.deviceId;
  const count = detail.active !== undefined && detail.limit !== undefined ? ` (${detail.active}/${detail.limit})` : '';
  const reason = detail.reason ? `: ${detail.reason}` : '';
  switch (detailType) {
    case 'Session Admitted':
      return `${device} admitted on ${detail.accountId}${count}`;
    case 'Session Denied':
      return `${device} refused on ${detail.accountId}${count}${reason}`;
    case 'Session Evicted':
      return `${device} evicted from ${detail.accountId}${reason}`;
    case 'Session Stopped':
      return `${device} stopped on ${detail.accountId}${reason}`;
    case 'Session Expired':
      return `${device} expired on ${detail.accountId}${reason}`;
  }
}
