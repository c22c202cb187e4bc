import {
  type ICacheClient,
  CacheDictionaryFetchResponse,
  CacheDictionaryRemoveFieldResponse,
  CacheDictionarySetFieldResponse,
  CacheGetResponse,
  CacheDeleteResponse,
  CacheSetIfAbsentResponse,
  CacheSetResponse,
  CacheDictionaryGetFieldResponse,
  CollectionTtl,
} from '@gomomento/sdk';

/**
 * The few key-value and dictionary operations the Vonage records need (connection records,
 * tombstones, room records, the registry of timed rooms, ticket lists), kept behind an interface
 * so the room logic stays testable. Seats themselves are leases (see `seat-leases.ts`).
 */
export interface RoomStateStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** True when stored (the key was absent): the atomic "first one wins" used for de-duplication. */
  setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean>;
  delete(key: string): Promise<void>;
  dictionarySet(name: string, field: string, value: string, ttlSeconds: number): Promise<void>;
  dictionaryGet(name: string, field: string): Promise<string | undefined>;
  dictionaryFetch(name: string): Promise<Record<string, string>>;
  dictionaryRemove(name: string, field: string): Promise<void>;
}

/** A Momento call that failed; the callback answers 503 so Vonage retries it later. */
export class StateStoreError extends Error {
  constructor(operation: string, detail: string) {
    super(`Momento ${operation} failed: ${detail}`);
    this.name = 'StateStoreError';
  }
}

/** The store over a Momento cache. */
export function momentoRoomStateStore(client: ICacheClient, cacheName: string): RoomStateStore {
  const fail = (operation: string, response: { toString(): string }): never => {
    throw new StateStoreError(operation, response.toString());
  };
  return {
    async get(key) {
      const response = await client.get(cacheName, key);
      if (response.type === CacheGetResponse.Hit) return response.value();
      if (response.type === CacheGetResponse.Miss) return undefined;
      return fail('get', response);
    },
    async set(key, value, ttlSeconds) {
      const response = await client.set(cacheName, key, value, { ttl: ttlSeconds });
      if (response.type !== CacheSetResponse.Success) fail('set', response);
    },
    async setIfAbsent(key, value, ttlSeconds) {
      const response = await client.setIfAbsent(cacheName, key, value, { ttl: ttlSeconds });
      if (response.type === CacheSetIfAbsentResponse.Stored) return true;
      if (response.type === CacheSetIfAbsentResponse.NotStored) return false;
      return fail('setIfAbsent', response);
    },
    async delete(key) {
      const response = await client.delete(cacheName, key);
      if (response.type !== CacheDeleteResponse.Success) fail('delete', response);
    },
    async dictionarySet(name, field, value, ttlSeconds) {
      const response = await client.dictionarySetField(cacheName, name, field, value, {
        ttl: CollectionTtl.of(ttlSeconds),
      });
      if (response.type !== CacheDictionarySetFieldResponse.Success) fail('dictionarySetField', response);
    },
    async dictionaryGet(name, field) {
      const response = await client.dictionaryGetField(cacheName, name, field);
      if (response.type === CacheDictionaryGetFieldResponse.Hit) return response.value();
      if (response.type === CacheDictionaryGetFieldResponse.Miss) return undefined;
      return fail('dictionaryGetField', response);
    },
    async dictionaryFetch(name) {
      const response = await client.dictionaryFetch(cacheName, name);
      if (response.type === CacheDictionaryFetchResponse.Hit) return response.value();
      if (response.type === CacheDictionaryFetchResponse.Miss) return {};
      return fail('dictionaryFetch', response);
    },
    async dictionaryRemove(name, field) {
      const response = await client.dictionaryRemoveField(cacheName, name, field);
      if (response.type !== CacheDictionaryRemoveFieldResponse.Success) fail('dictionaryRemoveField', response);
    },
  };
}
