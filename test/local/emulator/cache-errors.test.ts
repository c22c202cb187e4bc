import { cache } from '@gomomento/generated-types';
import * as grpc from '@grpc/grpc-js';
import { EventEmitter } from 'node:events';
import {
  CacheDictionaryFetch,
  CacheGet,
  CacheListPushBack,
  CacheSet,
  CacheSetIfAbsent,
  CacheSortedSetPutElement,
  MomentoErrorCode,
} from '@gomomento/sdk';
import type { CallGuard } from '../../../local/emulator/call-guard';
import { CacheStore, createCacheService, createControlService } from '../../../local/emulator/cache';
import { errorCodeOf, useCacheFixture } from './support/cache-fixture';
import { callUnary, rawCacheClient } from './support/raw-cache-client';

const fx = useCacheFixture('errors');
const pb = cache.cache_client;

describe('a missing cache', () => {
  it.each([
    ['get', () => fx.client.get('missing-cache', 'k'), CacheGet.Error],
    ['set', () => fx.client.set('missing-cache', 'k', 'v'), CacheSet.Error],
    ['setIfAbsent', () => fx.client.setIfAbsent('missing-cache', 'k', 'v'), CacheSetIfAbsent.Error],
    ['dictionaryFetch', () => fx.client.dictionaryFetch('missing-cache', 'd'), CacheDictionaryFetch.Error],
    ['listPushBack', () => fx.client.listPushBack('missing-cache', 'l', 'v'), CacheListPushBack.Error],
    [
      'sortedSetPutElement',
      () => fx.client.sortedSetPutElement('missing-cache', 'z', 'v', 1),
      CacheSortedSetPutElement.Error,
    ],
  ] as const)('%s fails with CacheNotFound', async (_name, call, errorClass) => {
    const response = await call();
    expect(response).toBeInstanceOf(errorClass);
    expect(errorCodeOf(response)).toBe(MomentoErrorCode.CACHE_NOT_FOUND_ERROR);
  });
});

describe('malformed requests', () => {
  it('rejects a data call without a cache header as INVALID_ARGUMENT', async () => {
    const raw = rawCacheClient(fx.server.hostname, fx.server.port);
    try {
      await expect(
        callUnary(raw.Get.bind(raw), new pb._GetRequest({ cache_key: Buffer.from('k') }), undefined),
      ).rejects.toMatchObject({
        code: grpc.status.INVALID_ARGUMENT,
      });
    } finally {
      raw.close();
    }
  });

  it('rejects a zero TTL as INVALID_ARGUMENT and answers rpcs it lacks with UNIMPLEMENTED', async () => {
    const raw = rawCacheClient(fx.server.hostname, fx.server.port);
    try {
      const zeroTtl = new pb._SetRequest({
        cache_key: Buffer.from('k'),
        cache_body: Buffer.from('v'),
        ttl_milliseconds: 0,
      });
      await expect(callUnary(raw.Set.bind(raw), zeroTtl, fx.cacheName)).rejects.toMatchObject({
        code: grpc.status.INVALID_ARGUMENT,
      });
      const withHash = new pb._GetWithHashRequest({ cache_key: Buffer.from('k') });
      await expect(callUnary(raw.GetWithHash.bind(raw), withHash, fx.cacheName)).rejects.toMatchObject({
        code: grpc.status.UNIMPLEMENTED,
      });
    } finally {
      raw.close();
    }
  });
});

describe('the call guard', () => {
  /** Calls a unary handler directly, as grpc-js would, and returns what it answered. */
  function invoke(
    handler: grpc.UntypedHandleCall,
    request: unknown,
    metadata: grpc.Metadata,
  ): Promise<{ error: unknown; response: unknown }> {
    return new Promise((resolve) => {
      (handler as grpc.handleUnaryCall<unknown, unknown>)(
        { request, metadata } as grpc.ServerUnaryCall<unknown, unknown>,
        (error, response) => resolve({ error, response }),
      );
    });
  }

  const denied = Object.assign(new Error('denied'), {
    code: grpc.status.PERMISSION_DENIED,
    details: 'denied',
    metadata: new grpc.Metadata(),
  });

  it('sees the cache, access and every key of a call, and its error stops the call before any change', async () => {
    const store = new CacheStore();
    store.createCache('guarded');
    const seen: Array<{ cacheName: string; access: string; keys: string[] }> = [];
    const guard: CallGuard = {
      authorizeControl: () => undefined,
      authorizeCache: (_metadata, cacheName, access, keys) => {
        seen.push({ cacheName, access, keys: keys.map((k) => Buffer.from(k).toString()) });
        if (keys.some((k) => Buffer.from(k).toString() === 'forbidden')) throw denied;
      },
    };
    const service = createCacheService(store, guard);
    const metadata = new grpc.Metadata();
    metadata.set('cache', 'guarded');

    const batch = new pb._GetBatchRequest({
      items: [new pb._GetRequest({ cache_key: Buffer.from('a') }), new pb._GetRequest({ cache_key: Buffer.from('b') })],
    });
    const written: unknown[] = [];
    await new Promise<void>((resolve) => {
      const stream = Object.assign(new EventEmitter(), {
        request: batch,
        metadata,
        write: (message: unknown) => written.push(message),
        end: () => resolve(),
      });
      (service.GetBatch as grpc.handleServerStreamingCall<unknown, unknown>)(
        stream as unknown as grpc.ServerWritableStream<unknown, unknown>,
      );
    });
    expect(written).toHaveLength(2);
    expect(seen[0]).toEqual({ cacheName: 'guarded', access: 'read', keys: ['a', 'b'] });

    const set = new pb._SetRequest({
      cache_key: Buffer.from('forbidden'),
      cache_body: Buffer.from('v'),
      ttl_milliseconds: 1000,
    });
    const result = await invoke(service.Set as grpc.UntypedHandleCall, set, metadata);
    expect(result.error).toBe(denied);
    expect(seen[1]).toEqual({ cacheName: 'guarded', access: 'write', keys: ['forbidden'] });
    expect(store.cache('guarded').get(Buffer.from('forbidden'))).toBeUndefined();
    store.close();
  });

  it('guards every control call', async () => {
    const store = new CacheStore();
    const guard: CallGuard = {
      authorizeControl: () => {
        throw denied;
      },
      authorizeCache: () => undefined,
    };
    const service = createControlService(store, guard);
    const result = await invoke(
      service.CreateCache as grpc.UntypedHandleCall,
      { cache_name: 'x' },
      new grpc.Metadata(),
    );
    expect(result.error).toBe(denied);
    expect(store.hasCache('x')).toBe(false);
    store.close();
  });
});
