import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { LIFECYCLE_EVENT_SOURCE } from '../../../contract/lifecycle-events';
import type { LifecycleEvent, LifecycleEventSink } from '../ports/lifecycle-event-sink';
import { errorMessage } from '../error-message';

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
        error: errorMessage(error),
      });
    }
  }
}
