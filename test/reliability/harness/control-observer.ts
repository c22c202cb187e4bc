import { TopicSubscribe, type TopicClient } from '@gomomento/sdk';

/** A control message as a test saw it on an account's control topic. */
export interface SeenControlMessage {
  readonly accountId: string;
  readonly type: string;
  readonly sessionId: string;
  readonly reason: string;
  /** When the test saw it (epoch ms). */
  readonly at: number;
}

/**
 * Listens to accounts' control topics with a super-user client: every `evicted` or `expired` a
 * device would have been told shows up here, so a lost slot cannot go unnoticed.
 */
export class ControlObserver {
  readonly messages: SeenControlMessage[] = [];
  private readonly subscriptions: TopicSubscribe.Subscription[] = [];

  constructor(private readonly client: TopicClient) {}

  async watch(cacheName: string, topicsByAccount: ReadonlyMap<string, string>): Promise<void> {
    for (const [accountId, topic] of topicsByAccount) {
      const response = await this.client.subscribe(cacheName, topic, {
        onItem: (item) => {
          try {
            const body = JSON.parse(String(item.value())) as { type?: string; sessionId?: string; reason?: string };
            this.messages.push({
              accountId,
              type: String(body.type),
              sessionId: String(body.sessionId),
              reason: String(body.reason),
              at: Date.now(),
            });
          } catch {
            this.messages.push({
              accountId,
              type: 'unparseable',
              sessionId: '',
              reason: String(item.value()).slice(0, 80),
              at: Date.now(),
            });
          }
        },
        onError: () => undefined,
      });
      if (!(response instanceof TopicSubscribe.Subscription))
        throw new Error(`cannot watch ${topic}: ${response.toString()}`);
      this.subscriptions.push(response);
    }
  }

  close(): void {
    for (const s of this.subscriptions) s.unsubscribe();
    this.subscriptions.length = 0;
  }
}
