import type { CachePort, TopicPort, TopicSubscription, TopicSubscriptionHandlers } from '../core/ports/momento-ports';

/**
 * The cache the subscriber's engine uses, forwarding each call to the Momento client of the
 * current data key. On key rotation `use()` points new calls at the new client; calls already
 * made finish on the old one, which is closed later.
 */
export class RotatingCachePort implements CachePort {
  constructor(private target: CachePort) {}

  use(target: CachePort): void {
    this.target = target;
  }

  get(key: string) {
    return this.target.get(key);
  }
  getBatch(keys: readonly string[]) {
    return this.target.getBatch(keys);
  }

  setBatch(items: Parameters<CachePort['setBatch']>[0]) {
    return this.target.setBatch(items);
  }
  set(key: string, value: string, ttlSeconds: number) {
    return this.target.set(key, value, ttlSeconds);
  }
  delete(key: string) {
    return this.target.delete(key);
  }
  setIfAbsent(key: string, value: string, ttlSeconds: number) {
    return this.target.setIfAbsent(key, value, ttlSeconds);
  }
  setIfAbsentOrEqual(key: string, value: string, equal: string, ttlSeconds: number) {
    return this.target.setIfAbsentOrEqual(key, value, equal, ttlSeconds);
  }
  setIfEqual(key: string, value: string, equal: string, ttlSeconds: number) {
    return this.target.setIfEqual(key, value, equal, ttlSeconds);
  }
  listPushBack(list: string, value: string, keepLast: number, ttlSeconds: number) {
    return this.target.listPushBack(list, value, keepLast, ttlSeconds);
  }
  listFetch(list: string) {
    return this.target.listFetch(list);
  }
  dictionaryIncrement(dictionary: string, field: string, amount: number, ttlSeconds: number) {
    return this.target.dictionaryIncrement(dictionary, field, amount, ttlSeconds);
  }
  dictionaryFields(dictionary: string) {
    return this.target.dictionaryFields(dictionary);
  }
  dictionaryLength(dictionary: string) {
    return this.target.dictionaryLength(dictionary);
  }
  sortedSetPut(set: string, element: string, score: number, ttlSeconds: number) {
    return this.target.sortedSetPut(set, element, score, ttlSeconds);
  }
  sortedSetPutMany(set: string, elements: readonly { element: string; score: number }[], ttlSeconds: number) {
    return this.target.sortedSetPutMany(set, elements, ttlSeconds);
  }
  sortedSetRange(set: string, minScore: number, maxScore: number, count: number) {
    return this.target.sortedSetRange(set, minScore, maxScore, count);
  }
  sortedSetScores(set: string, elements: readonly string[]) {
    return this.target.sortedSetScores(set, elements);
  }
  sortedSetRemove(set: string, elements: readonly string[]) {
    return this.target.sortedSetRemove(set, elements);
  }
}

/** The topics the engine publishes control messages on, forwarded as {@link RotatingCachePort}. */
export class RotatingTopicPort implements TopicPort {
  constructor(private target: TopicPort) {}

  use(target: TopicPort): void {
    this.target = target;
  }

  publish(topic: string, message: string): Promise<void> {
    return this.target.publish(topic, message);
  }

  subscribe(topic: string, handlers: TopicSubscriptionHandlers, timeoutMs: number): Promise<TopicSubscription> {
    return this.target.subscribe(topic, handlers, timeoutMs);
  }
}
