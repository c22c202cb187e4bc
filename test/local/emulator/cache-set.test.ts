import { CacheSetContainsElements, CacheSetFetch, CacheSetSample } from '@gomomento/sdk';
// The SDK's index does not re-export these two response types; sdk-core (its dependency) does.
import { CacheSetLength, CacheSetPop } from '@gomomento/sdk-core';
import { useCacheFixture } from './support/cache-fixture';

const fx = useCacheFixture('sets');

async function members(name: string): Promise<string[] | undefined> {
  const response = await fx.client.setFetch(fx.cacheName, name);
  if (response instanceof CacheSetFetch.Hit) return response.valueArrayString().sort();
  if (response instanceof CacheSetFetch.Miss) return undefined;
  throw new Error(response.toString());
}

describe('sets', () => {
  it('adds distinct elements, tests membership and counts', async () => {
    await fx.client.setAddElements(fx.cacheName, 's1', ['a', 'b', 'a']);
    await fx.client.setAddElement(fx.cacheName, 's1', 'c');
    expect(await members('s1')).toEqual(['a', 'b', 'c']);
    const contains = await fx.client.setContainsElements(fx.cacheName, 's1', ['a', 'z']);
    expect((contains as CacheSetContainsElements.Hit).containsElements()).toEqual({ a: true, z: false });
    expect(((await fx.client.setLength(fx.cacheName, 's1')) as CacheSetLength.Hit).length()).toBe(3);
    expect(await members('nope')).toBeUndefined();
  });

  it('removes elements and drops the emptied set', async () => {
    await fx.client.setAddElements(fx.cacheName, 's2', ['a', 'b']);
    await fx.client.setRemoveElement(fx.cacheName, 's2', 'a');
    expect(await members('s2')).toEqual(['b']);
    await fx.client.setRemoveElements(fx.cacheName, 's2', ['b', 'not-there']);
    expect(await members('s2')).toBeUndefined();
  });

  it('samples without removing and pops with removing', async () => {
    await fx.client.setAddElements(fx.cacheName, 's3', ['a', 'b', 'c', 'd']);
    const sample = await fx.client.setSample(fx.cacheName, 's3', 2);
    const sampled = (sample as CacheSetSample.Hit).valueArrayString();
    expect(new Set(sampled).size).toBe(2);
    expect(await members('s3')).toEqual(['a', 'b', 'c', 'd']);
    const popped = ((await fx.client.setPop(fx.cacheName, 's3', 3)) as CacheSetPop.Hit).valueArrayString();
    expect(popped).toHaveLength(3);
    const left = await members('s3');
    expect(left).toHaveLength(1);
    expect([...popped, ...(left ?? [])].sort()).toEqual(['a', 'b', 'c', 'd']);
  });
});
