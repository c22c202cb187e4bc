import {
  CacheDecreaseTtl,
  CacheDelete,
  CacheGet,
  CacheGetBatch,
  CacheIncreaseTtl,
  CacheIncrement,
  CacheItemGetTtl,
  CacheItemGetType,
  CacheKeysExist,
  CacheSet,
  CacheSetBatch,
  CacheUpdateTtl,
  ItemType,
  MomentoErrorCode,
} from '@gomomento/sdk';
import { errorCodeOf, sleep, useCacheFixture } from './support/cache-fixture';

const fx = useCacheFixture('scalars');

async function valueOf(key: string): Promise<string | undefined> {
  const response = await fx.client.get(fx.cacheName, key);
  if (response instanceof CacheGet.Hit) return response.valueString();
  if (response instanceof CacheGet.Miss) return undefined;
  throw new Error(`get failed: ${response.toString()}`);
}

describe('get / set / delete', () => {
  it('stores and returns a value, and misses after delete', async () => {
    expect(await valueOf('k1')).toBeUndefined();
    expect(await fx.client.set(fx.cacheName, 'k1', 'v1')).toBeInstanceOf(CacheSet.Success);
    expect(await valueOf('k1')).toBe('v1');
    expect(await fx.client.set(fx.cacheName, 'k1', 'v2')).toBeInstanceOf(CacheSet.Success);
    expect(await valueOf('k1')).toBe('v2');
    expect(await fx.client.delete(fx.cacheName, 'k1')).toBeInstanceOf(CacheDelete.Success);
    expect(await valueOf('k1')).toBeUndefined();
  });

  it('keeps arbitrary bytes intact in keys and values', async () => {
    const key = Uint8Array.from([0, 255, 128, 10]);
    const value = Uint8Array.from([1, 2, 0, 254, 255]);
    await fx.client.set(fx.cacheName, key, value);
    const hit = await fx.client.get(fx.cacheName, key);
    expect(hit).toBeInstanceOf(CacheGet.Hit);
    expect(Array.from((hit as CacheGet.Hit).valueUint8Array())).toEqual(Array.from(value));
  });

  it('deleting a missing key succeeds', async () => {
    expect(await fx.client.delete(fx.cacheName, 'never-set')).toBeInstanceOf(CacheDelete.Success);
  });
});

describe('TTL', () => {
  it('expires an item once its TTL has passed', async () => {
    await fx.client.set(fx.cacheName, 'short', 'lived', { ttl: 60 });
    // The SDK takes whole seconds for set; updateTtl takes milliseconds.
    expect(await fx.client.updateTtl(fx.cacheName, 'short', 200)).toBeInstanceOf(CacheUpdateTtl.Set);
    expect(await valueOf('short')).toBe('lived');
    await sleep(300);
    expect(await valueOf('short')).toBeUndefined();
    expect(await fx.client.itemGetTtl(fx.cacheName, 'short')).toBeInstanceOf(CacheItemGetTtl.Miss);
  });

  it('reports the remaining TTL', async () => {
    await fx.client.set(fx.cacheName, 'ttl-probe', 'x', { ttl: 30 });
    const ttl = await fx.client.itemGetTtl(fx.cacheName, 'ttl-probe');
    expect(ttl).toBeInstanceOf(CacheItemGetTtl.Hit);
    const remaining = (ttl as CacheItemGetTtl.Hit).remainingTtlMillis();
    expect(remaining).toBeGreaterThan(29_000);
    expect(remaining).toBeLessThanOrEqual(30_000);
  });

  it('increases only upwards and decreases only downwards', async () => {
    await fx.client.set(fx.cacheName, 'ttl-moves', 'x', { ttl: 10 });
    expect(await fx.client.increaseTtl(fx.cacheName, 'ttl-moves', 5_000)).toBeInstanceOf(CacheIncreaseTtl.NotSet);
    expect(await fx.client.increaseTtl(fx.cacheName, 'ttl-moves', 20_000)).toBeInstanceOf(CacheIncreaseTtl.Set);
    expect(await fx.client.decreaseTtl(fx.cacheName, 'ttl-moves', 25_000)).toBeInstanceOf(CacheDecreaseTtl.NotSet);
    expect(await fx.client.decreaseTtl(fx.cacheName, 'ttl-moves', 1_000)).toBeInstanceOf(CacheDecreaseTtl.Set);
    const remaining = (
      (await fx.client.itemGetTtl(fx.cacheName, 'ttl-moves')) as CacheItemGetTtl.Hit
    ).remainingTtlMillis();
    expect(remaining).toBeLessThanOrEqual(1_000);
    expect(await fx.client.updateTtl(fx.cacheName, 'no-such-key', 1_000)).toBeInstanceOf(CacheUpdateTtl.Miss);
    expect(await fx.client.increaseTtl(fx.cacheName, 'no-such-key', 1_000)).toBeInstanceOf(CacheIncreaseTtl.Miss);
  });
});

describe('increment', () => {
  it('starts from zero, adds, and stores the number as text', async () => {
    const first = await fx.client.increment(fx.cacheName, 'counter', 5);
    expect((first as CacheIncrement.Success).value()).toBe(5);
    const second = await fx.client.increment(fx.cacheName, 'counter', -7);
    expect((second as CacheIncrement.Success).value()).toBe(-2);
    expect(await valueOf('counter')).toBe('-2');
  });

  it('increments a value that was set as decimal text', async () => {
    await fx.client.set(fx.cacheName, 'text-counter', '41');
    expect(((await fx.client.increment(fx.cacheName, 'text-counter', 1)) as CacheIncrement.Success).value()).toBe(42);
  });

  it('fails with FAILED_PRECONDITION on a non-integer value and leaves it unchanged', async () => {
    await fx.client.set(fx.cacheName, 'not-a-number', 'monkey');
    const response = await fx.client.increment(fx.cacheName, 'not-a-number', 1);
    expect(response).toBeInstanceOf(CacheIncrement.Error);
    expect(errorCodeOf(response)).toBe(MomentoErrorCode.FAILED_PRECONDITION_ERROR);
    expect(await valueOf('not-a-number')).toBe('monkey');
  });
});

describe('getBatch / setBatch', () => {
  it('sets several items and reads them back in key order, misses included', async () => {
    const set = await fx.client.setBatch(fx.cacheName, { b1: 'one', b2: 'two' });
    expect(set).toBeInstanceOf(CacheSetBatch.Success);
    expect((set as CacheSetBatch.Success).results()).toHaveLength(2);
    const got = await fx.client.getBatch(fx.cacheName, ['b2', 'missing', 'b1']);
    expect(got).toBeInstanceOf(CacheGetBatch.Success);
    const results = (got as CacheGetBatch.Success).results();
    expect(
      results.map((r) => (r instanceof CacheGet.Hit ? r.valueString() : r instanceof CacheGet.Miss ? null : 'error')),
    ).toEqual(['two', null, 'one']);
  });

  it('gives each item of a batch its own TTL (SetBatchItem.ttl, as the engine writes a session and its scope limit)', async () => {
    const set = await fx.client.setBatch(fx.cacheName, [
      { key: 'short', value: 'one', ttl: 1 },
      { key: 'long', value: 'two', ttl: 60 },
    ]);
    expect(set).toBeInstanceOf(CacheSetBatch.Success);
    expect(await valueOf('short')).toBe('one');
    await sleep(1300);
    expect(await valueOf('short')).toBeUndefined();
    expect(await valueOf('long')).toBe('two');
  });

  it('fails the whole batch on a missing cache', async () => {
    const got = await fx.client.getBatch('no-such-cache', ['a']);
    expect(got).toBeInstanceOf(CacheGetBatch.Error);
    expect(errorCodeOf(got)).toBe(MomentoErrorCode.CACHE_NOT_FOUND_ERROR);
  });
});

describe('keysExist / itemGetType', () => {
  it('reports which keys exist, collections included', async () => {
    await fx.client.set(fx.cacheName, 'exists-1', 'x');
    await fx.client.listPushBack(fx.cacheName, 'exists-list', 'x');
    const response = await fx.client.keysExist(fx.cacheName, ['exists-1', 'nope', 'exists-list']);
    expect((response as CacheKeysExist.Success).exists()).toEqual([true, false, true]);
  });

  it('names the type of each item', async () => {
    await fx.client.set(fx.cacheName, 'type-scalar', 'x');
    await fx.client.dictionarySetField(fx.cacheName, 'type-dict', 'f', 'v');
    await fx.client.sortedSetPutElement(fx.cacheName, 'type-zset', 'a', 1);
    const typeOf = async (key: string): Promise<ItemType | undefined> => {
      const response = await fx.client.itemGetType(fx.cacheName, key);
      return response instanceof CacheItemGetType.Hit ? response.itemType() : undefined;
    };
    expect(await typeOf('type-scalar')).toBe(ItemType.SCALAR);
    expect(await typeOf('type-dict')).toBe(ItemType.DICTIONARY);
    expect(await typeOf('type-zset')).toBe(ItemType.SORTED_SET);
    expect(await typeOf('type-none')).toBeUndefined();
  });
});
