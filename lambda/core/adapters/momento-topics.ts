import { TopicClient, TopicPublish, TopicSubscribe } from '@gomomento/sdk';
import {
  MomentoCallError,
  type TopicPort,
  type TopicSubscription,
  type TopicSubscriptionHandlers,
} from '../ports/momento-ports';
import { failed, toMomentoCallError } from './momento-errors';

/** The topic port over the SDK's TopicClient, bound to one cache. */
export class MomentoTopicAdapter implements TopicPort {
  constructor(
    private readonly client: TopicClient,
    private readonly cacheName: string,
  ) {}

  async publish(topic: string, message: string): Promise<void> {
    const r = await this.client.publish(this.cacheName, topic, message);
    if (!(r instanceof TopicPublish.Success)) failed(r, 'publish');
  }

  async subscribe(topic: string, handlers: TopicSubscriptionHandlers, timeoutMs: number): Promise<TopicSubscription> {
    let abandoned = false;
    // The SDK resolves only once the first stream message (item or heartbeat) arrives.
    const pending = this.client.subscribe(this.cacheName, topic, {
      onItem: (item) => {
        if (!abandoned)
          handlers.onMessage({ value: item.value(), tokenId: item.tokenId(), sequenceNumber: item.sequenceNumber() });
      },
      onHeartbeat: () => {
        if (!abandoned) handlers.onHeartbeat?.();
      },
      onDiscontinuity: (d) => {
        if (!abandoned) handlers.onDiscontinuity?.(d.lastSequenceNumber(), d.newSequenceNumber());
      },
      onError: (error) => {
        if (!abandoned) handlers.onError?.(toMomentoCallError(error, 'subscription'));
      },
      onConnectionLost: () => {
        if (!abandoned) handlers.onConnectionLost?.();
      },
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
      timer.unref?.();
    });
    const result = await Promise.race([pending, timeout]).finally(() => clearTimeout(timer));
    if (result === 'timeout') {
      abandoned = true;
      void pending.then((late) => {
        if (late instanceof TopicSubscribe.Subscription) late.unsubscribe();
      });
      throw new MomentoCallError('unavailable', `subscribe to ${topic}: no answer within ${timeoutMs} ms`, 'DEADLINE');
    }
    if (!(result instanceof TopicSubscribe.Subscription)) return failed(result, `subscribe to ${topic}`);
    return {
      unsubscribe: () => {
        abandoned = true;
        result.unsubscribe();
      },
    };
  }
}
