import {
  CacheClient,
  CacheDelete,
  CacheDictionaryFetch,
  CacheDictionaryIncrement,
  CacheDictionaryLength,
  CacheGet,
  CacheGetBatch,
  CacheListFetch,
  CacheListPushBack,
  CacheSet,
  CacheSetBatch,
  CacheSetIfAbsent,
  CacheSetIfAbsentOrEqual,
  CacheSetIfEqual,
  CacheSortedSetFetch,
  CacheSortedSetGetScores,
  CacheSortedSetPutElement,
  CacheSortedSetPutElements,
  CacheSortedSetRemoveElements,
  CollectionTtl,
} from '@gomomento/sdk';
import type { CacheItem, CachePort } from '../ports/momento-ports';
import { failed } from './momento-errors';

/** Momento's documented maximum item TTL (24 hours); a longer TTL fails the write. */
export const MOMENTO_MAX_TTL_SECONDS = 86_400;

/**
 * The SDK takes TTLs in whole seconds and throws on a fraction; the ports take any positive
 * number of seconds (a token cached until shortly before its expiry is rarely whole), so round up,
 * and cap at Momento's maximum (index sets and session records may ask for longer).
 */
export function wholeSeconds(ttlSeconds: number): number {
  return Math.min(MOMENTO_MAX_TTL_SECONDS, Math.max(1, Math.ceil(ttlSeconds)));
}

/** The cache port over the SDK's CacheClient, bound to one cache. */
export class MomentoCacheAdapter implements CachePort {
  constructor(
    private readonly client: CacheClient,
    private readonly cacheName: string,
  ) {}

  async get(key: string): Promise<string | undefined> {
    const r = await this.client.get(this.cacheName, key);
    if (r instanceof CacheGet.Hit) return r.valueString();
    if (r instanceof CacheGet.Miss) return undefined;
    return failed(r, 'get');
  }

  async getBatch(keys: readonly string[]): Promise<(string | undefined)[]> {
    if (keys.length === 0) return [];
    const r = await this.client.getBatch(this.cacheName, [...keys]);
    if (!(r instanceof CacheGetBatch.Success)) return failed(r, 'getBatch');
    return r.results().map((item) => {
      if (item instanceof CacheGet.Hit) return item.valueString();
      if (item instanceof CacheGet.Miss) return undefined;
      return failed(item, 'getBatch');
    });
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    const r = await this.client.set(this.cacheName, key, value, { ttl: wholeSeconds(ttlSeconds) });
    if (!(r instanceof CacheSet.Success)) failed(r, 'set');
  }

  async delete(key: string): Promise<void> {
    const r = await this.client.delete(this.cacheName, key);
    if (!(r instanceof CacheDelete.Success)) failed(r, 'delete');
  }

  async setBatch(items: readonly CacheItem[]): Promise<void> {
    if (items.length === 0) return;
    const r = await this.client.setBatch(
      this.cacheName,
      items.map((item) => ({ key: item.key, value: item.value, ttl: wholeSeconds(item.ttlSeconds) })),
    );
    if (!(r instanceof CacheSetBatch.Success)) return failed(r, 'setBatch');
    for (const result of r.results()) if (!(result instanceof CacheSet.Success)) failed(result, 'setBatch');
  }

  async setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    const r = await this.client.setIfAbsent(this.cacheName, key, value, { ttl: wholeSeconds(ttlSeconds) });
    if (r instanceof CacheSetIfAbsent.Stored) return true;
    if (r instanceof CacheSetIfAbsent.NotStored) return false;
    return failed(r, 'setIfAbsent');
  }

  async setIfAbsentOrEqual(key: string, value: string, equal: string, ttlSeconds: number): Promise<boolean> {
    const r = await this.client.setIfAbsentOrEqual(this.cacheName, key, value, equal, {
      ttl: wholeSeconds(ttlSeconds),
    });
    if (r instanceof CacheSetIfAbsentOrEqual.Stored) return true;
    if (r instanceof CacheSetIfAbsentOrEqual.NotStored) return false;
    return failed(r, 'setIfAbsentOrEqual');
  }

  async setIfEqual(key: string, value: string, equal: string, ttlSeconds: number): Promise<boolean> {
    const r = await this.client.setIfEqual(this.cacheName, key, value, equal, { ttl: wholeSeconds(ttlSeconds) });
    if (r instanceof CacheSetIfEqual.Stored) return true;
    if (r instanceof CacheSetIfEqual.NotStored) return false;
    return failed(r, 'setIfEqual');
  }

  async listPushBack(list: string, value: string, keepLast: number, ttlSeconds: number): Promise<void> {
    const r = await this.client.listPushBack(this.cacheName, list, value, {
      truncateFrontToSize: keepLast,
      ttl: CollectionTtl.of(wholeSeconds(ttlSeconds)),
    });
    if (!(r instanceof CacheListPushBack.Success)) failed(r, 'listPushBack');
  }

  async listFetch(list: string): Promise<string[]> {
    const r = await this.client.listFetch(this.cacheName, list);
    if (r instanceof CacheListFetch.Hit) return r.valueListString();
    if (r instanceof CacheListFetch.Miss) return [];
    return failed(r, 'listFetch');
  }

  async dictionaryIncrement(dictionary: string, field: string, amount: number, ttlSeconds: number): Promise<void> {
    const r = await this.client.dictionaryIncrement(this.cacheName, dictionary, field, amount, {
      ttl: CollectionTtl.of(wholeSeconds(ttlSeconds)),
    });
    if (!(r instanceof CacheDictionaryIncrement.Success)) failed(r, 'dictionaryIncrement');
  }

  async dictionaryFields(dictionary: string): Promise<string[]> {
    const r = await this.client.dictionaryFetch(this.cacheName, dictionary);
    if (r instanceof CacheDictionaryFetch.Hit) return [...r.valueMapStringString().keys()];
    if (r instanceof CacheDictionaryFetch.Miss) return [];
    return failed(r, 'dictionaryFetch');
  }

  async dictionaryLength(dictionary: string): Promise<number> {
    const r = await this.client.dictionaryLength(this.cacheName, dictionary);
    if (r instanceof CacheDictionaryLength.Hit) return r.length();
    if (r instanceof CacheDictionaryLength.Miss) return 0;
    return failed(r, 'dictionaryLength');
  }

  async sortedSetPut(set: string, element: string, score: number, ttlSeconds: number): Promise<void> {
    const r = await this.client.sortedSetPutElement(this.cacheName, set, element, score, {
      ttl: CollectionTtl.of(wholeSeconds(ttlSeconds)),
    });
    if (!(r instanceof CacheSortedSetPutElement.Success)) failed(r, 'sortedSetPutElement');
  }

  async sortedSetPutMany(
    set: string,
    elements: readonly { element: string; score: number }[],
    ttlSeconds: number,
  ): Promise<void> {
    if (elements.length === 0) return;
    const pairs = elements.map((e): [string, number] => [e.element, e.score]);
    const r = await this.client.sortedSetPutElements(this.cacheName, set, pairs, {
      ttl: CollectionTtl.of(wholeSeconds(ttlSeconds)),
    });
    if (!(r instanceof CacheSortedSetPutElements.Success)) failed(r, 'sortedSetPutElements');
  }

  async sortedSetRange(
    set: string,
    minScore: number,
    maxScore: number,
    count: number,
  ): Promise<{ element: string; score: number }[]> {
    const r = await this.client.sortedSetFetchByScore(this.cacheName, set, { minScore, maxScore, count });
    if (r instanceof CacheSortedSetFetch.Hit)
      return r.valueArrayStringElements().map((e) => ({ element: e.value, score: e.score }));
    if (r instanceof CacheSortedSetFetch.Miss) return [];
    return failed(r, 'sortedSetFetchByScore');
  }

  async sortedSetScores(set: string, elements: readonly string[]): Promise<Map<string, number>> {
    if (elements.length === 0) return new Map();
    const r = await this.client.sortedSetGetScores(this.cacheName, set, [...elements]);
    if (r instanceof CacheSortedSetGetScores.Hit) return r.valueMapString();
    if (r instanceof CacheSortedSetGetScores.Miss) return new Map();
    return failed(r, 'sortedSetGetScores');
  }

  async sortedSetRemove(set: string, elements: readonly string[]): Promise<void> {
    if (elements.length === 0) return;
    const r = await this.client.sortedSetRemoveElements(this.cacheName, set, [...elements]);
    if (!(r instanceof CacheSortedSetRemoveElements.Success)) failed(r, 'sortedSetRemoveElements');
  }
}
