import type { MomentoCallError, TopicMessage, TopicPort, TopicSubscription } from '../core/ports/momento-ports';
import type { EngineLogger, EngineMetrics } from '../core/ports/observability';

export interface ShardSubscriptionOptions {
  readonly shard: number;
  readonly topic: string;
  readonly topics: TopicPort;
  readonly onMessage: (message: TopicMessage) => void;
  /** Momento reported skipped messages: heartbeats may be missing. */
  readonly onGap: () => void;
  readonly logger: EngineLogger;
  readonly metrics: EngineMetrics;
  readonly now: () => number;
  /** Resubscribe when neither an item nor a stream heartbeat arrives for this long. */
  readonly watchdogMs: number;
  readonly subscribeTimeoutMs: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
}

export type ShardState = 'connecting' | 'subscribed' | 'backing-off' | 'stopped';

export interface ShardStats {
  readonly shard: number;
  readonly topic: string;
  readonly state: ShardState;
  readonly subscribes: number;
  readonly resubscribes: number;
  /** Streams that broke and that the SDK reconnected by itself. */
  readonly streamDrops: number;
  readonly discontinuities: number;
  readonly lastError?: string;
  /** What the last failure was (`not-found`: the cache does not exist; `authentication`: the key is refused). */
  readonly lastErrorKind?: MomentoCallError['kind'];
}

/** What to tell an operator for each way a subscribe can fail. */
function explain(error: MomentoCallError, topic: string): string {
  switch (error.kind) {
    case 'authentication':
      return 'the Momento data key is malformed, expired or revoked: put a valid key in the data key secret (the subscriber reads it again on its own)';
    case 'permission':
      return `the Momento data key may not subscribe to ${topic}: use a key with publish/subscribe rights on the cache`;
    case 'not-found':
      return 'the Momento cache does not exist: create it (CACHE_NAME) in the Momento console or fix the name; the subscriber keeps trying';
    case 'unavailable':
      return 'Momento cannot be reached right now';
    default:
      return 'Momento refused the subscription';
  }
}

/**
 * One heartbeat shard's subscription, kept alive by its own watchdog: the SDK resubscribes by
 * itself after network errors, but gives up on authentication and permission errors and never
 * notices a stream that silently stops. Failures back off exponentially and say why.
 */
export class ShardSubscription {
  private state: ShardState = 'connecting';
  private subscription: TopicSubscription | undefined;
  private lastActivity = 0;
  private subscribes = 0;
  private resubscribes = 0;
  private streamDrops = 0;
  /** The SDK reported the stream lost and has not delivered anything since. */
  private streamLost = false;
  private discontinuities = 0;
  private lastError: string | undefined;
  private lastErrorKind: MomentoCallError['kind'] | undefined;
  private backoffMs: number;
  private watchdog: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  /** Bumped on every (re)connect so callbacks of an abandoned stream are ignored. */
  private generation = 0;

  constructor(private readonly options: ShardSubscriptionOptions) {
    this.backoffMs = options.initialBackoffMs;
  }

  start(): void {
    void this.connect();
    this.watchdog = setInterval(() => this.checkAlive(), Math.max(50, Math.floor(this.options.watchdogMs / 4)));
    this.watchdog.unref();
  }

  stop(): void {
    this.state = 'stopped';
    this.generation += 1;
    clearInterval(this.watchdog);
    clearTimeout(this.retryTimer);
    this.subscription?.unsubscribe();
    this.subscription = undefined;
  }

  get subscribed(): boolean {
    return this.state === 'subscribed';
  }

  stats(): ShardStats {
    const { shard, topic } = this.options;
    return {
      shard,
      topic,
      state: this.state,
      subscribes: this.subscribes,
      resubscribes: this.resubscribes,
      streamDrops: this.streamDrops,
      discontinuities: this.discontinuities,
      lastError: this.lastError,
      lastErrorKind: this.lastErrorKind,
    };
  }

  private async connect(): Promise<void> {
    if (this.state === 'stopped') return;
    const { topic, topics, logger } = this.options;
    const generation = ++this.generation;
    this.state = 'connecting';
    const alive = () => generation === this.generation && this.state !== 'stopped';
    try {
      const subscription = await topics.subscribe(
        topic,
        {
          onMessage: (message) => {
            if (!alive()) return;
            this.markActive();
            this.options.onMessage(message);
          },
          onHeartbeat: () => {
            if (alive()) this.markActive();
          },
          onConnectionLost: () => {
            if (!alive() || this.streamLost) return;
            this.streamLost = true;
            logger.warn('heartbeat stream lost; the SDK is reconnecting', { topic });
          },
          onDiscontinuity: (lastSequence, newSequence) => {
            if (!alive()) return;
            this.markActive();
            this.discontinuities += 1;
            logger.warn('heartbeat stream discontinuity: messages may have been missed', {
              topic,
              lastSequence,
              newSequence,
            });
            this.options.onGap();
          },
          onError: (error) => {
            if (!alive()) return;
            // The SDK gave up on this stream (authentication, permission, ...): start over.
            this.lastError = `${error.kind}: ${error.message}`;
            this.lastErrorKind = error.kind;
            logger.error('heartbeat subscription ended', { topic, kind: error.kind, hint: explain(error, topic) });
            this.retryLater();
          },
        },
        this.options.subscribeTimeoutMs,
      );
      if (!alive()) {
        subscription.unsubscribe();
        return;
      }
      this.subscription = subscription;
      this.streamLost = false;
      this.state = 'subscribed';
      this.lastActivity = this.options.now();
      this.backoffMs = this.options.initialBackoffMs;
      this.subscribes += 1;
      if (this.subscribes > 1) {
        this.resubscribes += 1;
        this.options.metrics.count('SubscriberReconnects');
      }
      logger.info('subscribed to heartbeat shard', {
        topic,
        shard: this.options.shard,
        resubscribe: this.subscribes > 1,
      });
    } catch (error) {
      if (!alive()) return;
      const callError = error as MomentoCallError;
      this.lastError = `${callError.kind ?? 'error'}: ${callError.message}`;
      this.lastErrorKind = callError.kind;
      logger.error('cannot subscribe to heartbeat shard', {
        topic,
        kind: callError.kind,
        hint: callError.kind ? explain(callError, topic) : 'unexpected error',
        retryInMs: this.backoffMs,
      });
      this.options.metrics.count('MomentoErrors');
      this.retryLater();
    }
  }

  /** Something arrived: the stream works, and if the SDK had lost it, it reconnected. */
  private markActive(): void {
    this.lastActivity = this.options.now();
    if (!this.streamLost) return;
    this.streamLost = false;
    this.streamDrops += 1;
    this.options.metrics.count('SubscriberReconnects');
    this.options.logger.info('heartbeat stream reconnected by the SDK', {
      topic: this.options.topic,
      shard: this.options.shard,
    });
  }

  private retryLater(): void {
    if (this.state === 'stopped') return;
    this.generation += 1;
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    this.state = 'backing-off';
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.options.maxBackoffMs, this.backoffMs * 2);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(), delay);
    this.retryTimer.unref();
  }

  private checkAlive(): void {
    if (this.state !== 'subscribed') return;
    const silentFor = this.options.now() - this.lastActivity;
    if (silentFor <= this.options.watchdogMs) return;
    this.options.logger.warn('heartbeat stream silent; resubscribing', {
      topic: this.options.topic,
      silentForMs: silentFor,
    });
    // Messages may have been lost while the stream was silent.
    this.options.onGap();
    this.generation += 1;
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    void this.connect();
  }
}
