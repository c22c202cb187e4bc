import { CacheFlush, CacheGet, CreateCache, DeleteCache, ListCaches, MomentoErrorCode } from '@gomomento/sdk';
import { errorCodeOf, useCacheFixture } from './support/cache-fixture';

const fx = useCacheFixture('control-home');

const cacheNames = async (): Promise<string[]> => {
  const response = await fx.client.listCaches();
  if (!(response instanceof ListCaches.Success)) throw new Error(response.toString());
  return response.getCaches().map((c) => c.getName());
};

describe('control plane', () => {
  it('creates a cache once; a second create reports AlreadyExists', async () => {
    expect(await fx.client.createCache('c1')).toBeInstanceOf(CreateCache.Success);
    expect(await fx.client.createCache('c1')).toBeInstanceOf(CreateCache.AlreadyExists);
    expect(await cacheNames()).toEqual(expect.arrayContaining(['c1', 'control-home']));
  });

  it('deletes a cache and its items; deleting a missing cache is NOT_FOUND', async () => {
    await fx.client.createCache('c2');
    await fx.client.set('c2', 'k', 'v');
    expect(await fx.client.deleteCache('c2')).toBeInstanceOf(DeleteCache.Success);
    expect(await cacheNames()).not.toContain('c2');
    const again = await fx.client.deleteCache('c2');
    expect(again).toBeInstanceOf(DeleteCache.Error);
    expect(errorCodeOf(again)).toBe(MomentoErrorCode.CACHE_NOT_FOUND_ERROR);
    // A re-created cache starts empty.
    await fx.client.createCache('c2');
    expect(await fx.client.get('c2', 'k')).toBeInstanceOf(CacheGet.Miss);
  });

  it('flushes every item but keeps the cache; flushing a missing cache is NOT_FOUND', async () => {
    await fx.client.createCache('c3');
    await fx.client.set('c3', 'k', 'v');
    await fx.client.listPushBack('c3', 'l', 'v');
    expect(await fx.client.flushCache('c3')).toBeInstanceOf(CacheFlush.Success);
    expect(await fx.client.get('c3', 'k')).toBeInstanceOf(CacheGet.Miss);
    expect(await cacheNames()).toContain('c3');
    expect(errorCodeOf(await fx.client.flushCache('no-such-cache'))).toBe(MomentoErrorCode.CACHE_NOT_FOUND_ERROR);
  });

  it('makes the store agree with the SDK view', async () => {
    await fx.client.createCache('c4');
    expect(fx.server.store.hasCache('c4')).toBe(true);
    await fx.client.deleteCache('c4');
    expect(fx.server.store.hasCache('c4')).toBe(false);
  });
});
