import { createHash } from 'node:crypto';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
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

/** Where lifecycle events go. Emitting must never fail the caller's work: sinks log and swallow. */
export interface LifecycleEventSink {
  emit(event: LifecycleEvent): Promise<void>;
}

/**
 * A stable id from what the event is about: its type, scope, session and the session's generation
 * (its start time), or for a denial the request that was denied.
 */
export function lifecycleEventId(detailType: LifecycleDetailType, scope: string, subject: string, generation: string | number): string {
  return createHash('sha256').update(`${detailType}\n${scope}\n${subject}\n${generation}`).digest('hex').slice(0, 32);
}

export const noEvents: LifecycleEventSink = { emit: async () => undefined };

/** Keeps events in memory (tests, playground). */
export class RecordingEventSink implements LifecycleEventSink {
  readonly events: LifecycleEvent[] = [];
  async emit(event: LifecycleEvent): Promise<void> {
    this.events.push(event);
  }
  ofType(detailType: LifecycleDetailType): LifecycleEvent[] {
    return this.events.filter((event) => event.detailType === detailType);
  }
}

/** Sends lifecycle events to an EventBridge bus with PutEvents. */
export class EventBridgeEventSink implements LifecycleEventSink {
  constructor(
    private readonly busName: string,
    private readonly client: EventBridgeClient = new EventBridgeClient({}),
    private readonly onFailure: (message: string, fields: Record<string, unknown>) => void = () => undefined,
  ) {}

  async emit(event: LifecycleEvent): Promise<void> {
    try {
      const result = await this.client.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: this.busName,
              Source: LIFECYCLE_EVENT_SOURCE,
              DetailType: event.detailType,
              Detail: JSON.stringify(event.detail),
            },
          ],
        }),
      );
      if ((result.FailedEntryCount ?? 0) > 0) {
        this.onFailure('lifecycle event rejected by EventBridge', {
          detailType: event.detailType,
          eventId: event.detail.eventId,
          errorCode: result.Entries?.[0]?.ErrorCode,
        });
      }
    } catch (error) {
      this.onFailure('lifecycle event not sent', {
        detailType: event.detailType,
        eventId: event.detail.eventId,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
}
