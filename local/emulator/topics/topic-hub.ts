import { status, type ServiceError } from '@grpc/grpc-js';
import { statusError } from '../status-error';
import type { StatsCounter } from '../stats';
import { Topic, type Discontinuity, type TopicEntry, type TopicValue } from './topic';

/**
 * Momento's documented topic message limit. Assumption: it counts the payload only, so 4096 bytes
 * pass and 4097 do not.
 */
export const MAX_MESSAGE_BYTES = 4 * 1024;

/** What a subscription is told; gRPC streams and HTTP long polls implement it. */
export interface SubscriptionSink {
  item(entry: TopicEntry): void;
  discontinuity(gap: Discontinuity): void;
  heartbeat(): void;
  /** Ends the subscription with an error (dropped by a fault, the emulator stopping). */
  fail(error: ServiceError): void;
}

/** An open subscription; `close()` detaches it from its topic. */
export interface Subscription {
  close(): void;
}

export interface TopicHubOptions {
  /** Whether a cache exists: topics live in caches, and a missing one fails as Momento's does. */
  readonly hasCache: (cacheName: string) => boolean;
  readonly stats: StatsCounter;
  /** How many recent items each topic keeps for resuming subscribers. @default 1000 */
  readonly retainedItems?: number;
  /** How often open subscriptions get a heartbeat, in ms. @default 5000 */
  readonly heartbeatIntervalMs?: number;
}

// Assumption: the wording is ours; the SDK maps NOT_FOUND to CacheNotFoundError by code alone.
const cacheNotFound = (cacheName: string) => statusError(status.NOT_FOUND, `Cache not found: ${cacheName}`);

/** The byte size Momento counts for a value: UTF-8 bytes of text, or the bytes themselves. */
export function valueSize(value: TopicValue): number {
  return 'text' in value ? Buffer.byteLength(value.text, 'utf8') : value.binary.byteLength;
}

/** Every topic of every cache, shared by the gRPC and HTTP front ends. */
export class TopicHub {
  private readonly topics = new Map<string, Topic>();
  private readonly sinks = new Set<SubscriptionSink>();
  private readonly heartbeatTimer: NodeJS.Timeout;
  private readonly retained: number;

  constructor(private readonly options: TopicHubOptions) {
    this.retained = options.retainedItems ?? 1000;
    // Assumption: Momento's heartbeat cadence is unspecified ("no guarantee is made about the cadence");
    // the emulator sends one when a subscription opens and then every heartbeatIntervalMs.
    this.heartbeatTimer = setInterval(() => {
      for (const sink of this.sinks) sink.heartbeat();
    }, options.heartbeatIntervalMs ?? 5000);
    this.heartbeatTimer.unref();
  }

  /** Number of subscriptions open now. */
  get openSubscriptions(): number {
    return this.sinks.size;
  }

  /** Checks and publishes a value; returns the numbered entry. Throws a gRPC error on refusal. */
  publish(cacheName: string, topicName: string, value: TopicValue, publisherId: string): TopicEntry {
    this.checkNames(cacheName, topicName);
    const size = valueSize(value);
    if (size > MAX_MESSAGE_BYTES) {
      // Assumption: an oversized message fails with RESOURCE_EXHAUSTED and the `request_size_limit_exceeded`
      // cause, which the SDK maps to LimitExceededError.
      throw statusError(
        status.RESOURCE_EXHAUSTED,
        `Request size limit exceeded: message of ${size} bytes exceeds ${MAX_MESSAGE_BYTES}`,
        'request_size_limit_exceeded',
      );
    }
    const stats = this.options.stats;
    stats.messagesPublished += 1;
    stats.bytesPublished += size;
    return this.topic(cacheName, topicName).publish(value, publisherId);
  }

  /**
   * Opens a subscription: the sink gets a heartbeat at once, then any discontinuity and replayed
   * items, then live items. Throws a gRPC error when the cache is missing.
   */
  subscribe(
    cacheName: string,
    topicName: string,
    resumeAt: number,
    page: number,
    sink: SubscriptionSink,
  ): Subscription {
    this.checkNames(cacheName, topicName);
    const topic = this.topic(cacheName, topicName);
    const plan = topic.planResume(resumeAt, page);
    sink.heartbeat();
    if (plan.discontinuity !== undefined) sink.discontinuity(plan.discontinuity);
    for (const entry of plan.replay) sink.item(entry);
    topic.listeners.add(sink);
    this.sinks.add(sink);
    return {
      close: () => {
        topic.listeners.delete(sink);
        this.sinks.delete(sink);
      },
    };
  }

  /** The plan a one-shot reader (HTTP long poll) gets, without holding a subscription open. */
  planResume(cacheName: string, topicName: string, resumeAt: number, page: number) {
    this.checkNames(cacheName, topicName);
    return this.topic(cacheName, topicName).planResume(resumeAt, page);
  }

  /** Ends every open subscription with `error`; returns how many ended. */
  failAll(error: ServiceError): number {
    const sinks = [...this.sinks];
    this.sinks.clear();
    for (const topic of this.topics.values()) topic.listeners.clear();
    for (const sink of sinks) sink.fail(error);
    return sinks.length;
  }

  /** Stops the heartbeat timer and ends every subscription. */
  close(error: ServiceError): void {
    clearInterval(this.heartbeatTimer);
    this.failAll(error);
  }

  private checkNames(cacheName: string, topicName: string): void {
    if (cacheName === '') throw statusError(status.INVALID_ARGUMENT, 'cache name must not be empty');
    if (topicName === '') throw statusError(status.INVALID_ARGUMENT, 'topic name must not be empty');
    if (!this.options.hasCache(cacheName)) {
      // A cache deleted and created again gets new topics (a new sequence page).
      this.dropTopicsOf(cacheName);
      throw cacheNotFound(cacheName);
    }
  }

  private topic(cacheName: string, topicName: string): Topic {
    const key = `${cacheName}\u0000${topicName}`;
    let topic = this.topics.get(key);
    if (topic === undefined) {
      // Assumption: a page only needs to differ between two lives of a topic; Momento's docs show
      // an epoch-seconds-like value, so the emulator uses the creation time in ms modulo 2^31.
      topic = new Topic(this.retained, (Date.now() % 2 ** 31) + 1);
      this.topics.set(key, topic);
    }
    return topic;
  }

  private dropTopicsOf(cacheName: string): void {
    const prefix = `${cacheName}\u0000`;
    for (const [key, topic] of this.topics) {
      if (!key.startsWith(prefix)) continue;
      for (const listener of topic.listeners) this.sinks.delete(listener as SubscriptionSink);
      this.topics.delete(key);
    }
  }
}
