import type {
  TopicPort,
  TopicSubscription,
  TopicSubscriptionHandlers,
} from '../../../../lambda/core/ports/momento-ports';
import { controlMessageSchema, type ControlMessage } from '../../../../lambda/core/messages/control-message';

/** Records what the engine publishes (control messages); subscriptions are not the point here. */
export class RecordingTopics implements TopicPort {
  readonly published: { topic: string; message: string }[] = [];

  async publish(topic: string, message: string): Promise<void> {
    this.published.push({ topic, message });
  }

  async subscribe(_topic: string, _handlers: TopicSubscriptionHandlers): Promise<TopicSubscription> {
    return { unsubscribe: () => undefined };
  }

  controlMessages(topic: string): ControlMessage[] {
    return this.published
      .filter((entry) => entry.topic === topic)
      .map((entry) => controlMessageSchema.parse(JSON.parse(entry.message)));
  }
}
