import {
  CacheDictionaryFetch,
  CacheDictionaryGetField,
  CacheDictionaryGetFields,
  CacheDictionaryIncrement,
  CacheDictionaryLength,
  CacheDictionarySetFields,
  CacheItemGetTtl,
  CollectionTtl,
  MomentoErrorCode,
} from '@gomomento/sdk';
import { errorCodeOf, sleep, useCacheFixture } from './support/cache-fixture';

const fx = useCacheFixture('dictionaries');

async function fetchRecord(name: string): Promise<Record<string, string> | undefined> {
  const response = await fx.client.dictionaryFetch(fx.cacheName, name);
  if (response instanceof CacheDictionaryFetch.Hit) return response.valueRecord();
  if (response instanceof CacheDictionaryFetch.Miss) return undefined;
  throw new Error(response.toString());
}

async function remainingTtl(key: string): Promise<number> {
  const response = await fx.client.itemGetTtl(fx.cacheName, key);
  if (!(response instanceof CacheItemGetTtl.Hit)) throw new Error(`no TTL for ${key}: ${response.toString()}`);
  return response.remainingTtlMillis();
}

describe('dictionaries', () => {
  it('sets, gets, fetches and counts fields', async () => {
    expect(await fetchRecord('d1')).toBeUndefined();
    expect(await fx.client.dictionarySetFields(fx.cacheName, 'd1', { a: '1', b: '2' })).toBeInstanceOf(
      CacheDictionarySetFields.Success,
    );
    await fx.client.dictionarySetField(fx.cacheName, 'd1', 'c', '3');
    await fx.client.dictionarySetField(fx.cacheName, 'd1', 'a', 'one');
    expect(await fetchRecord('d1')).toEqual({ a: 'one', b: '2', c: '3' });

    const one = await fx.client.dictionaryGetField(fx.cacheName, 'd1', 'b');
    expect((one as CacheDictionaryGetField.Hit).valueString()).toBe('2');
    expect(await fx.client.dictionaryGetField(fx.cacheName, 'd1', 'zz')).toBeInstanceOf(CacheDictionaryGetField.Miss);
    expect(await fx.client.dictionaryGetField(fx.cacheName, 'no-dict', 'a')).toBeInstanceOf(
      CacheDictionaryGetField.Miss,
    );

    const some = await fx.client.dictionaryGetFields(fx.cacheName, 'd1', ['c', 'zz', 'a']);
    expect(some).toBeInstanceOf(CacheDictionaryGetFields.Hit);
    expect((some as CacheDictionaryGetFields.Hit).valueRecord()).toEqual({ c: '3', a: 'one' });

    const length = await fx.client.dictionaryLength(fx.cacheName, 'd1');
    expect((length as CacheDictionaryLength.Hit).length()).toBe(3);
    expect(await fx.client.dictionaryLength(fx.cacheName, 'no-dict')).toBeInstanceOf(CacheDictionaryLength.Miss);
  });

  it('removes fields, and the dictionary once it is empty', async () => {
    await fx.client.dictionarySetFields(fx.cacheName, 'd2', { a: '1', b: '2', c: '3' });
    await fx.client.dictionaryRemoveField(fx.cacheName, 'd2', 'a');
    expect(await fetchRecord('d2')).toEqual({ b: '2', c: '3' });
    await fx.client.dictionaryRemoveFields(fx.cacheName, 'd2', ['b', 'c', 'not-there']);
    expect(await fetchRecord('d2')).toBeUndefined();
  });

  it('increments a field, failing on a non-integer field', async () => {
    const first = await fx.client.dictionaryIncrement(fx.cacheName, 'd3', 'hits', 2);
    expect((first as CacheDictionaryIncrement.Success).value()).toBe(2);
    const second = await fx.client.dictionaryIncrement(fx.cacheName, 'd3', 'hits', 40);
    expect((second as CacheDictionaryIncrement.Success).value()).toBe(42);
    expect((await fetchRecord('d3'))?.hits).toBe('42');

    await fx.client.dictionarySetField(fx.cacheName, 'd3', 'name', 'alice');
    const bad = await fx.client.dictionaryIncrement(fx.cacheName, 'd3', 'name', 1);
    expect(errorCodeOf(bad)).toBe(MomentoErrorCode.FAILED_PRECONDITION_ERROR);
  });

  it('refreshes the TTL on write unless told not to', async () => {
    await fx.client.dictionarySetField(fx.cacheName, 'd4', 'a', '1', { ttl: CollectionTtl.of(10) });
    await fx.client.updateTtl(fx.cacheName, 'd4', 2_000);
    await fx.client.dictionarySetField(fx.cacheName, 'd4', 'b', '2', {
      ttl: CollectionTtl.of(10).withNoRefreshTtlOnUpdates(),
    });
    expect(await remainingTtl('d4')).toBeLessThanOrEqual(2_000);
    await fx.client.dictionarySetField(fx.cacheName, 'd4', 'c', '3', { ttl: CollectionTtl.of(10) });
    expect(await remainingTtl('d4')).toBeGreaterThan(9_000);
  });

  it('gives a new dictionary the TTL even when refresh is off', async () => {
    await fx.client.dictionarySetField(fx.cacheName, 'd5', 'a', '1', {
      ttl: CollectionTtl.of(7).withNoRefreshTtlOnUpdates(),
    });
    const remaining = await remainingTtl('d5');
    expect(remaining).toBeGreaterThan(6_000);
    expect(remaining).toBeLessThanOrEqual(7_000);
  });

  it('expires the whole dictionary', async () => {
    await fx.client.dictionarySetField(fx.cacheName, 'd6', 'a', '1');
    await fx.client.updateTtl(fx.cacheName, 'd6', 200);
    await sleep(300);
    expect(await fetchRecord('d6')).toBeUndefined();
  });

  it('rejects dictionary calls on another type with FAILED_PRECONDITION', async () => {
    await fx.client.listPushBack(fx.cacheName, 'is-a-list', 'x');
    expect(errorCodeOf(await fx.client.dictionaryFetch(fx.cacheName, 'is-a-list'))).toBe(
      MomentoErrorCode.FAILED_PRECONDITION_ERROR,
    );
    expect(errorCodeOf(await fx.client.dictionarySetField(fx.cacheName, 'is-a-list', 'f', 'v'))).toBe(
      MomentoErrorCode.FAILED_PRECONDITION_ERROR,
    );
  });
});
