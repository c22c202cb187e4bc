import { cache } from '@gomomento/generated-types';
import { common } from '@gomomento/generated-types/dist/common';
import {
  CacheSortedSetFetch,
  CacheSortedSetGetRank,
  CacheSortedSetGetScore,
  CacheSortedSetGetScores,
  CacheSortedSetIncrementScore,
  CacheSortedSetLength,
  CacheSortedSetLengthByScore,
  CacheSortedSetUnionStore,
  SortedSetAggregate,
  MomentoErrorCode,
  SortedSetOrder,
} from '@gomomento/sdk';
import { errorCodeOf, useCacheFixture } from './support/cache-fixture';
import { callUnary, rawCacheClient } from './support/raw-cache-client';

const fx = useCacheFixture('sorted-sets');
const pb = cache.cache_client;

type Fetched = Array<{ value: string; score: number }>;

async function fetched(response: CacheSortedSetFetch.Response): Promise<Fetched | undefined> {
  if (response instanceof CacheSortedSetFetch.Hit)
    return response.valueArray().map((e) => ({ value: String(e.value), score: e.score }));
  if (response instanceof CacheSortedSetFetch.Miss) return undefined;
  throw new Error(response.toString());
}

const values = (list: Fetched | undefined): string[] | undefined => list?.map((e) => e.value);

beforeAll(async () => {
  await fx.client.sortedSetPutElements(fx.cacheName, 'z', { a: 1, b: 2, c: 3, d: 4, e: 5 });
});

describe('sorted sets: fetch', () => {
  it('fetches by rank, ascending and descending, with negative ranks', async () => {
    expect(await fetched(await fx.client.sortedSetFetchByRank(fx.cacheName, 'z'))).toEqual([
      { value: 'a', score: 1 },
      { value: 'b', score: 2 },
      { value: 'c', score: 3 },
      { value: 'd', score: 4 },
      { value: 'e', score: 5 },
    ]);
    expect(
      values(await fetched(await fx.client.sortedSetFetchByRank(fx.cacheName, 'z', { startRank: 1, endRank: 3 }))),
    ).toEqual(['b', 'c']);
    expect(values(await fetched(await fx.client.sortedSetFetchByRank(fx.cacheName, 'z', { startRank: -2 })))).toEqual([
      'd',
      'e',
    ]);
    expect(
      values(
        await fetched(
          await fx.client.sortedSetFetchByRank(fx.cacheName, 'z', { order: SortedSetOrder.Descending, endRank: 2 }),
        ),
      ),
    ).toEqual(['e', 'd']);
  });

  it('fetches by score with inclusive bounds, offset and count', async () => {
    const byScore = async (
      options: Parameters<typeof fx.client.sortedSetFetchByScore>[2],
    ): Promise<string[] | undefined> =>
      values(await fetched(await fx.client.sortedSetFetchByScore(fx.cacheName, 'z', options)));
    expect(await byScore({ minScore: 2, maxScore: 4 })).toEqual(['b', 'c', 'd']);
    expect(await byScore({ minScore: 4 })).toEqual(['d', 'e']);
    expect(await byScore({ maxScore: 1 })).toEqual(['a']);
    expect(await byScore({ minScore: 2, maxScore: 5, offset: 1, count: 2 })).toEqual(['c', 'd']);
    expect(await byScore({ order: SortedSetOrder.Descending, minScore: 2, count: 2 })).toEqual(['e', 'd']);
    expect(await byScore({ minScore: 10 })).toEqual([]);
  });

  it('honours exclusive score bounds (sent by raw clients; the SDK sends inclusive ones)', async () => {
    const raw = rawCacheClient(fx.server.hostname, fx.server.port);
    try {
      const Score = pb._SortedSetFetchRequest._ByScore._Score;
      const request = new pb._SortedSetFetchRequest({
        set_name: Buffer.from('z'),
        with_scores: false,
        by_score: new pb._SortedSetFetchRequest._ByScore({
          min_score: new Score({ score: 2, exclusive: true }),
          max_score: new Score({ score: 4, exclusive: false }),
          offset: 0,
          count: -1,
        }),
      });
      const response = await callUnary<typeof request, cache.cache_client._SortedSetFetchResponse>(
        raw.SortedSetFetch.bind(raw),
        request,
        fx.cacheName,
      );
      expect(response.found.values.values.map((v) => Buffer.from(v).toString())).toEqual(['c', 'd']);

      const lengthRequest = new pb._SortedSetLengthByScoreRequest({
        set_name: Buffer.from('z'),
        exclusive_min: 1,
        exclusive_max: 5,
      });
      type LengthResponse = cache.cache_client._SortedSetLengthByScoreResponse;
      const length = await callUnary<typeof lengthRequest, LengthResponse>(
        raw.SortedSetLengthByScore.bind(raw),
        lengthRequest,
        fx.cacheName,
      );
      expect(length.found.length).toBe(3);
      const unbounded = new pb._SortedSetLengthByScoreRequest({
        set_name: Buffer.from('z'),
        unbounded_min: new common._Unbounded(),
        inclusive_max: 2,
      });
      expect(
        (
          await callUnary<typeof unbounded, LengthResponse>(
            raw.SortedSetLengthByScore.bind(raw),
            unbounded,
            fx.cacheName,
          )
        ).found.length,
      ).toBe(2);
    } finally {
      raw.close();
    }
  });

  it('orders equal scores by value', async () => {
    await fx.client.sortedSetPutElements(fx.cacheName, 'ties', { y: 1, x: 1, z: 0 });
    expect(values(await fetched(await fx.client.sortedSetFetchByRank(fx.cacheName, 'ties')))).toEqual(['z', 'x', 'y']);
  });

  it('misses on a missing set', async () => {
    expect(await fx.client.sortedSetFetchByScore(fx.cacheName, 'nope')).toBeInstanceOf(CacheSortedSetFetch.Miss);
  });
});

describe('sorted sets: scores, ranks, lengths, removal', () => {
  it('reads scores and ranks', async () => {
    const score = await fx.client.sortedSetGetScore(fx.cacheName, 'z', 'c');
    expect((score as CacheSortedSetGetScore.Hit).score()).toBe(3);
    expect(await fx.client.sortedSetGetScore(fx.cacheName, 'z', 'zz')).toBeInstanceOf(CacheSortedSetGetScore.Miss);
    const scores = await fx.client.sortedSetGetScores(fx.cacheName, 'z', ['a', 'zz', 'e']);
    expect((scores as CacheSortedSetGetScores.Hit).valueRecord()).toEqual({ a: 1, e: 5 });

    expect(((await fx.client.sortedSetGetRank(fx.cacheName, 'z', 'a')) as CacheSortedSetGetRank.Hit).rank()).toBe(0);
    const descending = await fx.client.sortedSetGetRank(fx.cacheName, 'z', 'a', { order: SortedSetOrder.Descending });
    expect((descending as CacheSortedSetGetRank.Hit).rank()).toBe(4);
    expect(await fx.client.sortedSetGetRank(fx.cacheName, 'z', 'zz')).toBeInstanceOf(CacheSortedSetGetRank.Miss);
    expect(await fx.client.sortedSetGetRank(fx.cacheName, 'nope', 'a')).toBeInstanceOf(CacheSortedSetGetRank.Miss);
  });

  it('counts all elements and elements within inclusive scores', async () => {
    expect(((await fx.client.sortedSetLength(fx.cacheName, 'z')) as CacheSortedSetLength.Hit).length()).toBe(5);
    const within = await fx.client.sortedSetLengthByScore(fx.cacheName, 'z', { minScore: 2, maxScore: 4 });
    expect((within as CacheSortedSetLengthByScore.Hit).length()).toBe(3);
    expect(await fx.client.sortedSetLength(fx.cacheName, 'nope')).toBeInstanceOf(CacheSortedSetLength.Miss);
  });

  it('increments scores, creating the element and set when absent', async () => {
    const created = await fx.client.sortedSetIncrementScore(fx.cacheName, 'inc', 'p', 2.5);
    expect((created as CacheSortedSetIncrementScore.Success).score()).toBe(2.5);
    const added = await fx.client.sortedSetIncrementScore(fx.cacheName, 'inc', 'p', -1);
    expect((added as CacheSortedSetIncrementScore.Success).score()).toBe(1.5);
  });

  it('replaces scores on put and removes elements, then the empty set', async () => {
    await fx.client.sortedSetPutElements(fx.cacheName, 'rm', { a: 1, b: 2, c: 3 });
    await fx.client.sortedSetPutElement(fx.cacheName, 'rm', 'a', 10);
    expect(values(await fetched(await fx.client.sortedSetFetchByRank(fx.cacheName, 'rm')))).toEqual(['b', 'c', 'a']);
    await fx.client.sortedSetRemoveElement(fx.cacheName, 'rm', 'b');
    expect(values(await fetched(await fx.client.sortedSetFetchByRank(fx.cacheName, 'rm')))).toEqual(['c', 'a']);
    await fx.client.sortedSetRemoveElements(fx.cacheName, 'rm', ['a', 'c']);
    expect(await fx.client.sortedSetFetchByRank(fx.cacheName, 'rm')).toBeInstanceOf(CacheSortedSetFetch.Miss);
  });

  it('rejects sorted-set calls on a dictionary with FAILED_PRECONDITION', async () => {
    await fx.client.dictionarySetField(fx.cacheName, 'a-dict', 'f', 'v');
    expect(errorCodeOf(await fx.client.sortedSetPutElement(fx.cacheName, 'a-dict', 'x', 1))).toBe(
      MomentoErrorCode.FAILED_PRECONDITION_ERROR,
    );
  });

  it('stores the weighted union of sets, replacing the destination', async () => {
    await fx.client.sortedSetPutElements(fx.cacheName, 'u1', { a: 1, b: 2 });
    await fx.client.sortedSetPutElements(fx.cacheName, 'u2', { b: 10, c: 20 });
    await fx.client.sortedSetPutElements(fx.cacheName, 'u-dest', { stale: 99 });
    const sources = [
      { sortedSetName: 'u1', weight: 1 },
      { sortedSetName: 'u2', weight: 0.5 },
      { sortedSetName: 'u-missing', weight: 1 },
    ];
    const summed = await fx.client.sortedSetUnionStore(fx.cacheName, 'u-dest', sources);
    expect((summed as CacheSortedSetUnionStore.Success).length()).toBe(3);
    expect(await fetched(await fx.client.sortedSetFetchByRank(fx.cacheName, 'u-dest'))).toEqual([
      { value: 'a', score: 1 },
      { value: 'b', score: 7 },
      { value: 'c', score: 10 },
    ]);
    await fx.client.sortedSetUnionStore(fx.cacheName, 'u-dest', sources, { aggregate: SortedSetAggregate.MIN });
    const minimum = await fx.client.sortedSetGetScore(fx.cacheName, 'u-dest', 'b');
    expect((minimum as CacheSortedSetGetScore.Hit).score()).toBe(2);
  });

  it('refuses a union of no sources with INVALID_ARGUMENT and leaves the destination as it was', async () => {
    // Momento's own suite: "errors when no source is provided" (INVALID_ARGUMENT_ERROR).
    await fx.client.sortedSetPutElements(fx.cacheName, 'u-kept', { kept: 1 });
    const response = await fx.client.sortedSetUnionStore(fx.cacheName, 'u-kept', []);
    expect(errorCodeOf(response)).toBe(MomentoErrorCode.INVALID_ARGUMENT_ERROR);
    expect(await fetched(await fx.client.sortedSetFetchByRank(fx.cacheName, 'u-kept'))).toEqual([
      { value: 'kept', score: 1 },
    ]);
  });
});
