import type {
  TopicAddress,
  TopicSubscription,
  TopicSubscriptionHandlers,
  TopicTransport,
} from '../../client/topic-transport';
import type { TokenGrant } from '../../client/contracts';

/** A published message, parsed. */
export interface Published {
  readonly address: TopicAddress;
  readonly body: Record<string, unknown>;
}

/** A subscription the session opened on the fake transport. */
export class FakeSubscription implements TopicSubscription {
  readonly tokens: string[];
  closed = false;

  constructor(
    readonly address: TopicAddress,
    private readonly handlers: TopicSubscriptionHandlers,
  ) {
    this.tokens = [address.token];
  }

  updateToken(token: string): void {
    this.tokens.push(token);
  }

  close(): void {
    this.closed = true;
  }

  /** Delivers a message as the topic would (only while open, as a real subscription). */
  deliver(message: unknown): void {
    if (!this.closed) this.handlers.onMessage(typeof message === 'string' ? message : JSON.stringify(message));
  }

  fail(error: Parameters<TopicSubscriptionHandlers['onError']>[0]): void {
    if (!this.closed) this.handlers.onError(error);
  }
}

/** An in-memory transport: records publishes, fails them on demand, hands out fake subscriptions. */
export class FakeTopicTransport implements TopicTransport {
  readonly published: Published[] = [];
  readonly exitPublished: Published[] = [];
  readonly subscriptions: FakeSubscription[] = [];
  /** Outcomes of the next publishes, in order: an error to throw, or undefined to succeed. */
  readonly nextPublishOutcomes: Array<Error | undefined> = [];

  async publish(address: TopicAddress, message: string): Promise<void> {
    this.published.push({ address, body: JSON.parse(message) as Record<string, unknown> });
    const outcome = this.nextPublishOutcomes.shift();
    if (outcome) throw outcome;
  }

  subscribe(address: TopicAddress, handlers: TopicSubscriptionHandlers): TopicSubscription {
    const subscription = new FakeSubscription(address, handlers);
    this.subscriptions.push(subscription);
    return subscription;
  }

  publishOnExit(address: TopicAddress, message: string): void {
    this.exitPublished.push({ address, body: JSON.parse(message) as Record<string, unknown> });
  }

  /** Heartbeat-topic messages of one type. */
  messages(type: 'heartbeat' | 'stop'): Published[] {
    return this.published.filter((entry) => entry.body.type === type);
  }

  get lastSubscription(): FakeSubscription {
    const last = this.subscriptions[this.subscriptions.length - 1];
    if (!last) throw new Error('no subscription was opened');
    return last;
  }
}

let tokenCounter = 0;

/** A 201 body of POST /tokens, expiring `lifetimeSeconds` from now (fake clock). */
export function tokenGrant(overrides: Partial<TokenGrant> & { lifetimeSeconds?: number } = {}): TokenGrant {
  const { lifetimeSeconds = 600, ...rest } = overrides;
  tokenCounter += 1;
  return {
    token: `token-${tokenCounter}`,
    sessionId: 'session-1',
    sessionKey: 'key-of-session-1',
    cacheName: 'concurrency',
    heartbeatTopic: 'heartbeats',
    controlTopic: 'control-acct-1',
    heartbeatIntervalSeconds: 5,
    expiresAt: new Date(Date.now() + lifetimeSeconds * 1000).toISOString(),
    limit: 2,
    active: 1,
    ...rest,
  };
}
