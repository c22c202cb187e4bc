import { createHash } from 'node:crypto';
import { LIFECYCLE_EVENT_SOURCE, type LifecycleDetailType } from '../../../contract/lifecycle-events';

export { LIFECYCLE_EVENT_SOURCE, type LifecycleDetailType };

export interface LifecycleDetail {
  /** Derived from the event's content, so a retried or duplicated event has the same id. */
  readonly eventId: string;
  readonly accountId: string;
  readonly scope: string;
  readonly sessionId?: string;
  readonly deviceId: string;
  readonly contentId?: string;
  readonly kind?: string;
  readonly reason?: string;
  readonly limit?: number;
  readonly active?: number;
  /** ISO 8601. */
  readonly at: string;
}

export interface LifecycleEvent {
  readonly detailType: LifecycleDetailType;
  readonly detail: LifecycleDetail;
}

/**
 * Where lifecycle events go (the EventBridge adapter is `adapters/eventbridge-event-sink.ts`).
 * Emitting must never fail the caller's work: sinks log and swallow.
 */
export interface LifecycleEventSink {
  emit(event: LifecycleEvent): Promise<void>;
}

/**
 * A stable id from what the event is about: its type, scope, session and the session's generation
 * (its start time), or for a denial the request that was denied.
 */
export function lifecycleEventId(
  detailType: LifecycleDetailType,
  scope: string,
  subject: string,
  generation: string | number,
): string {
  return createHash('sha256').update(`${detailType}\n${scope}\n${subject}\n${generation}`).digest('hex').slice(0, 32);
}

export const noEvents: LifecycleEventSink = { emit: async () => undefined };
