import { CacheGet, CacheIncrement, CacheSet, CacheDelete, CreateCache, type CacheClient } from '@gomomento/sdk';
import { startCacheServer, type RunningCacheServer } from './support/cache-server';
import { connectCacheClient } from './support/sdk-clients';

let server: RunningCacheServer;
let client: CacheClient;
const CACHE = 'scalars';

beforeAll(async () => {
  server = await startCacheServer();
  client = await connectCacheClient(server.hostname, server.port);
  expect(await client.createCache(CACHE)).toBeInstanceOf(CreateCache.Success);
});

afterAll(async () => {
  client.close();
  await server.stop();
});

describe('get / set / delete', () => {
  it('stores and returns a value, and misses after delete', async () => {
    expect(await client.get(CACHE, 'k1')).toBeInstanceOf(CacheGet.Miss);
    expect(await client.set(CACHE, 'k1', 'v1')).toBeInstanceOf(CacheSet.Success);
    const hit = await client.get(CACHE, 'k1');
    expect(hit).toBeInstanceOf(CacheGet.Hit);
    expect((hit as CacheGet.Hit).valueString()).toBe('v1');
    expect(await client.delete(CACHE, 'k1')).toBeInstanceOf(CacheDelete.Success);
    expect(await client.get(CACHE, 'k1')).toBeInstanceOf(CacheGet.Miss);
  });

  it('increments', async () => {
    const first = await client.increment(CACHE, 'counter', 5);
    expect((first as CacheIncrement.Success).value()).toBe(5);
  });
});
