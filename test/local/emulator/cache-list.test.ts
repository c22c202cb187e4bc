import {
  CacheItemGetTtl,
  CacheListConcatenateBack,
  CacheListConcatenateFront,
  CacheListFetch,
  CacheListLength,
  CacheListPopBack,
  CacheListPopFront,
  CacheListPushBack,
  CacheListPushFront,
  CacheListRetain,
  CollectionTtl,
  MomentoErrorCode,
} from '@gomomento/sdk';
import { cache } from '@gomomento/generated-types';
import { errorCodeOf, sleep, useCacheFixture } from './support/cache-fixture';
import { callUnary, rawCacheClient } from './support/raw-cache-client';

const fx = useCacheFixture('lists');

async function listOf(
  name: string,
  options?: { startIndex?: number; endIndex?: number },
): Promise<string[] | undefined> {
  const response = await fx.client.listFetch(fx.cacheName, name, options);
  if (response instanceof CacheListFetch.Hit) return response.valueListString();
  if (response instanceof CacheListFetch.Miss) return undefined;
  throw new Error(response.toString());
}

describe('lists', () => {
  it('pushes and concatenates at both ends, reporting the length', async () => {
    const pushed = await fx.client.listPushBack(fx.cacheName, 'l1', 'c');
    expect((pushed as CacheListPushBack.Success).listLength()).toBe(1);
    const front = await fx.client.listPushFront(fx.cacheName, 'l1', 'b');
    expect((front as CacheListPushFront.Success).listLength()).toBe(2);
    const back = await fx.client.listConcatenateBack(fx.cacheName, 'l1', ['d', 'e']);
    expect((back as CacheListConcatenateBack.Success).listLength()).toBe(4);
    const frontMany = await fx.client.listConcatenateFront(fx.cacheName, 'l1', ['x', 'a']);
    expect((frontMany as CacheListConcatenateFront.Success).listLength()).toBe(6);
    expect(await listOf('l1')).toEqual(['x', 'a', 'b', 'c', 'd', 'e']);
    expect(((await fx.client.listLength(fx.cacheName, 'l1')) as CacheListLength.Hit).length()).toBe(6);
    expect(await fx.client.listLength(fx.cacheName, 'no-list')).toBeInstanceOf(CacheListLength.Miss);
    expect(await listOf('no-list')).toBeUndefined();
  });

  it('truncates from the front on back writes and from the back on front writes', async () => {
    await fx.client.listConcatenateBack(fx.cacheName, 'l2', ['1', '2', '3']);
    const back = await fx.client.listPushBack(fx.cacheName, 'l2', '4', { truncateFrontToSize: 3 });
    expect((back as CacheListPushBack.Success).listLength()).toBe(3);
    expect(await listOf('l2')).toEqual(['2', '3', '4']);
    await fx.client.listConcatenateBack(fx.cacheName, 'l2', ['5', '6'], { truncateFrontToSize: 2 });
    expect(await listOf('l2')).toEqual(['5', '6']);
    await fx.client.listPushFront(fx.cacheName, 'l2', '4', { truncateBackToSize: 2 });
    expect(await listOf('l2')).toEqual(['4', '5']);
    await fx.client.listConcatenateFront(fx.cacheName, 'l2', ['2', '3'], { truncateBackToSize: 3 });
    expect(await listOf('l2')).toEqual(['2', '3', '4']);
  });

  it('fetches slices with inclusive start, exclusive end and negative indexes', async () => {
    await fx.client.listConcatenateBack(fx.cacheName, 'l3', ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(await listOf('l3', { startIndex: 2, endIndex: 6 })).toEqual(['2', '3', '4', '5']);
    expect(await listOf('l3', { startIndex: 5 })).toEqual(['5', '6', '7', '8', '9']);
    expect(await listOf('l3', { endIndex: 3 })).toEqual(['0', '1', '2']);
    expect(await listOf('l3', { startIndex: -3 })).toEqual(['7', '8', '9']);
    expect(await listOf('l3', { startIndex: 2, endIndex: -6 })).toEqual(['2', '3']);
    expect(await listOf('l3', { startIndex: -7, endIndex: -2 })).toEqual(['3', '4', '5', '6', '7']);
    expect(await listOf('l3', { startIndex: 8, endIndex: 100 })).toEqual(['8', '9']);
  });

  it('pops from both ends and misses on a missing list', async () => {
    await fx.client.listConcatenateBack(fx.cacheName, 'l4', ['a', 'b', 'c']);
    expect(((await fx.client.listPopFront(fx.cacheName, 'l4')) as CacheListPopFront.Hit).valueString()).toBe('a');
    expect(((await fx.client.listPopBack(fx.cacheName, 'l4')) as CacheListPopBack.Hit).valueString()).toBe('c');
    expect(((await fx.client.listPopBack(fx.cacheName, 'l4')) as CacheListPopBack.Hit).valueString()).toBe('b');
    expect(await fx.client.listPopBack(fx.cacheName, 'l4')).toBeInstanceOf(CacheListPopBack.Miss);
    expect(await fx.client.listPopFront(fx.cacheName, 'l4')).toBeInstanceOf(CacheListPopFront.Miss);
    expect(await listOf('l4')).toBeUndefined();
  });

  it('removes every element equal to a value', async () => {
    await fx.client.listConcatenateBack(fx.cacheName, 'l5', ['a', 'b', 'a', 'c', 'a']);
    await fx.client.listRemoveValue(fx.cacheName, 'l5', 'a');
    expect(await listOf('l5')).toEqual(['b', 'c']);
  });

  it('retains a slice', async () => {
    await fx.client.listConcatenateBack(fx.cacheName, 'l6', ['0', '1', '2', '3', '4']);
    expect(await fx.client.listRetain(fx.cacheName, 'l6', { startIndex: 1, endIndex: -1 })).toBeInstanceOf(
      CacheListRetain.Success,
    );
    expect(await listOf('l6')).toEqual(['1', '2', '3']);
  });

  it('refreshes the TTL on write unless told not to; a new list always gets it', async () => {
    const remaining = async (): Promise<number> =>
      ((await fx.client.itemGetTtl(fx.cacheName, 'l7')) as CacheItemGetTtl.Hit).remainingTtlMillis();
    await fx.client.listPushBack(fx.cacheName, 'l7', 'a', { ttl: CollectionTtl.of(5).withNoRefreshTtlOnUpdates() });
    expect(await remaining()).toBeGreaterThan(4_000);
    await fx.client.updateTtl(fx.cacheName, 'l7', 1_000);
    await fx.client.listPushBack(fx.cacheName, 'l7', 'b', { ttl: CollectionTtl.of(5).withNoRefreshTtlOnUpdates() });
    expect(await remaining()).toBeLessThanOrEqual(1_000);
    await fx.client.listPushBack(fx.cacheName, 'l7', 'c', { ttl: CollectionTtl.of(5) });
    expect(await remaining()).toBeGreaterThan(4_000);
  });

  it('expires and then starts afresh', async () => {
    await fx.client.listConcatenateBack(fx.cacheName, 'l8', ['old-1', 'old-2']);
    await fx.client.updateTtl(fx.cacheName, 'l8', 200);
    await sleep(300);
    expect(await listOf('l8')).toBeUndefined();
    await fx.client.listPushBack(fx.cacheName, 'l8', 'new');
    expect(await listOf('l8')).toEqual(['new']);
  });

  it('rejects list calls on a scalar with FAILED_PRECONDITION', async () => {
    await fx.client.set(fx.cacheName, 'scalar', 'x');
    expect(errorCodeOf(await fx.client.listPushBack(fx.cacheName, 'scalar', 'y'))).toBe(
      MomentoErrorCode.FAILED_PRECONDITION_ERROR,
    );
    expect(errorCodeOf(await fx.client.listFetch(fx.cacheName, 'scalar'))).toBe(
      MomentoErrorCode.FAILED_PRECONDITION_ERROR,
    );
  });

  it('erases index ranges (a call the SDK does not expose)', async () => {
    await fx.client.listConcatenateBack(fx.cacheName, 'l9', ['0', '1', '2', '3', '4', '5']);
    const raw = rawCacheClient(fx.server.hostname, fx.server.port);
    try {
      const pb = cache.cache_client;
      const request = new pb._ListEraseRequest({
        list_name: Buffer.from('l9'),
        some: new pb._ListEraseRequest._ListRanges({
          ranges: [new pb._ListRange({ begin_index: 1, count: 2 }), new pb._ListRange({ begin_index: 5, count: 10 })],
        }),
      });
      const response = await callUnary<typeof request, cache.cache_client._ListEraseResponse>(
        raw.ListErase.bind(raw),
        request,
        fx.cacheName,
      );
      expect(response.found.list_length).toBe(3);
      expect(await listOf('l9')).toEqual(['0', '3', '4']);
    } finally {
      raw.close();
    }
  });
});
