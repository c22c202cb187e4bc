import { cache } from '@gomomento/generated-types';
import { bytesToKey, keyToBytes } from './cache-item';
import { collectionTtlOf } from './collection-ttl';
import { unary, type UnaryDataCall } from './data-call';
import type { Keyspace } from './keyspace';
import { sliceBounds } from './list-slice';
import { invalidArgument } from './momento-errors';
import { orderedElements, withinScores, type ScoreBound, type ScoredElement } from './sorted-set-order';

const pb = cache.cache_client;
const { ECacheResult } = pb;
const Fetch = pb._SortedSetFetchRequest;
type SortedSet = Map<string, number>;
const newSortedSet = (): SortedSet => new Map();

type FetchRequest = cache.cache_client._SortedSetFetchRequest;

function byIndex(ordered: ScoredElement[], range: cache.cache_client._SortedSetFetchRequest._ByIndex): ScoredElement[] {
  const [from, to] = sliceBounds(
    ordered.length,
    range.start === 'inclusive_start_index' ? range.inclusive_start_index : undefined,
    range.end === 'exclusive_end_index' ? range.exclusive_end_index : undefined,
  );
  return ordered.slice(from, to);
}

function byScore(ordered: ScoredElement[], range: cache.cache_client._SortedSetFetchRequest._ByScore): ScoredElement[] {
  const min: ScoreBound | undefined = range.min === 'min_score' ? range.min_score : undefined;
  const max: ScoreBound | undefined = range.max === 'max_score' ? range.max_score : undefined;
  const matching = ordered.filter((element) => withinScores(element.score, min, max)).slice(range.offset);
  // The SDK sends a negative count for "all".
  // Assumption: a zero count (a raw client's default) means all too.
  return range.count > 0 ? matching.slice(0, range.count) : matching;
}

function fetchElements(elements: Map<string, number>, request: FetchRequest): ScoredElement[] {
  const ordered = orderedElements(elements, request.order === Fetch.Order.DESCENDING);
  switch (request.range) {
    case 'by_index':
      return byIndex(ordered, request.by_index);
    case 'by_score':
      return byScore(ordered, request.by_score);
    default:
      // Assumption: no range means the whole set, in order.
      return ordered;
  }
}

/** The sorted set a write names, created empty (with the request's collection TTL) when absent. */
function upsertSortedSet(
  keyspace: Keyspace,
  request: { set_name: Uint8Array; ttl_milliseconds: number; refresh_ttl: boolean },
): SortedSet {
  return keyspace.upsertCollection(request.set_name, 'sorted-set', collectionTtlOf(request), newSortedSet).value;
}

/** A call that reads one sorted set: `missing` answers when there is none, `found` answers from it. */
function sortedSetRead<Req extends { set_name: Uint8Array }, Res>(
  missing: () => Res,
  found: (set: SortedSet, request: Req) => Res,
): UnaryDataCall<Req, Res> {
  return unary<Req, Res>(
    'read',
    (request) => [request.set_name],
    (keyspace, request) => {
      const set = keyspace.read(request.set_name, 'sorted-set')?.value;
      return set === undefined ? missing() : found(set, request);
    },
  );
}

/** Sorted-set calls. */
export const sortedSetCalls = {
  SortedSetPut: unary<cache.cache_client._SortedSetPutRequest, cache.cache_client._SortedSetPutResponse>(
    'write',
    (request) => [request.set_name],
    (keyspace, request) => {
      const set = upsertSortedSet(keyspace, request);
      for (const element of request.elements) set.set(bytesToKey(element.value), element.score);
      keyspace.dropIfEmpty(request.set_name);
      return new pb._SortedSetPutResponse();
    },
  ),

  SortedSetFetch: sortedSetRead<FetchRequest, cache.cache_client._SortedSetFetchResponse>(
    () => new pb._SortedSetFetchResponse({ missing: new pb._SortedSetFetchResponse._Missing() }),
    (set, request) => {
      const elements = fetchElements(set, request);
      const Found = pb._SortedSetFetchResponse._Found;
      const found = request.with_scores
        ? new Found({
            values_with_scores: new Found._ValuesWithScores({
              elements: elements.map((e) => new pb._SortedSetElement({ value: keyToBytes(e.value), score: e.score })),
            }),
          })
        : new Found({ values: new Found._Values({ values: elements.map((e) => keyToBytes(e.value)) }) });
      return new pb._SortedSetFetchResponse({ found });
    },
  ),

  SortedSetGetScore: sortedSetRead<
    cache.cache_client._SortedSetGetScoreRequest,
    cache.cache_client._SortedSetGetScoreResponse
  >(
    () => new pb._SortedSetGetScoreResponse({ missing: new pb._SortedSetGetScoreResponse._SortedSetMissing() }),
    (set, request) => {
      const Response = pb._SortedSetGetScoreResponse;
      const elements = request.values.map((value) => {
        const score = set.get(bytesToKey(value));
        return score === undefined
          ? new Response._SortedSetGetScoreResponsePart({ result: ECacheResult.Miss })
          : new Response._SortedSetGetScoreResponsePart({ result: ECacheResult.Hit, score });
      });
      return new Response({ found: new Response._SortedSetFound({ elements }) });
    },
  ),

  SortedSetRemove: unary<cache.cache_client._SortedSetRemoveRequest, cache.cache_client._SortedSetRemoveResponse>(
    'write',
    (request) => [request.set_name],
    (keyspace, request) => {
      const set = keyspace.read(request.set_name, 'sorted-set')?.value;
      if (set !== undefined) {
        switch (request.remove_elements) {
          case 'all':
            set.clear();
            break;
          case 'some':
            for (const value of request.some.values) set.delete(bytesToKey(value));
            break;
          default:
            throw invalidArgument('SortedSetRemove needs some values or all');
        }
        keyspace.dropIfEmpty(request.set_name);
      }
      return new pb._SortedSetRemoveResponse();
    },
  ),

  SortedSetIncrement: unary<
    cache.cache_client._SortedSetIncrementRequest,
    cache.cache_client._SortedSetIncrementResponse
  >(
    'write',
    (request) => [request.set_name],
    (keyspace, request) => {
      const set = upsertSortedSet(keyspace, request);
      const element = bytesToKey(request.value);
      const score = (set.get(element) ?? 0) + request.amount;
      set.set(element, score);
      return new pb._SortedSetIncrementResponse({ score });
    },
  ),

  SortedSetGetRank: sortedSetRead<
    cache.cache_client._SortedSetGetRankRequest,
    cache.cache_client._SortedSetGetRankResponse
  >(
    () => new pb._SortedSetGetRankResponse({ missing: new pb._SortedSetGetRankResponse._SortedSetMissing() }),
    (set, request) => {
      const Response = pb._SortedSetGetRankResponse;
      const wanted = bytesToKey(request.value);
      const descending = request.order === pb._SortedSetGetRankRequest.Order.DESCENDING;
      const rank = orderedElements(set, descending).findIndex((element) => element.value === wanted);
      return new Response({
        element_rank:
          rank < 0
            ? new Response._RankResponsePart({ result: ECacheResult.Miss })
            : new Response._RankResponsePart({ result: ECacheResult.Hit, rank }),
      });
    },
  ),

  SortedSetLength: sortedSetRead<
    cache.cache_client._SortedSetLengthRequest,
    cache.cache_client._SortedSetLengthResponse
  >(
    () => new pb._SortedSetLengthResponse({ missing: new pb._SortedSetLengthResponse._Missing() }),
    (set) => new pb._SortedSetLengthResponse({ found: new pb._SortedSetLengthResponse._Found({ length: set.size }) }),
  ),

  SortedSetLengthByScore: sortedSetRead<
    cache.cache_client._SortedSetLengthByScoreRequest,
    cache.cache_client._SortedSetLengthByScoreResponse
  >(
    () => new pb._SortedSetLengthByScoreResponse({ missing: new pb._SortedSetLengthByScoreResponse._Missing() }),
    (set, request) => {
      const Response = pb._SortedSetLengthByScoreResponse;
      const min: ScoreBound | undefined =
        request.min === 'inclusive_min'
          ? { score: request.inclusive_min, exclusive: false }
          : request.min === 'exclusive_min'
            ? { score: request.exclusive_min, exclusive: true }
            : undefined;
      const max: ScoreBound | undefined =
        request.max === 'inclusive_max'
          ? { score: request.inclusive_max, exclusive: false }
          : request.max === 'exclusive_max'
            ? { score: request.exclusive_max, exclusive: true }
            : undefined;
      let length = 0;
      for (const score of set.values()) if (withinScores(score, min, max)) length += 1;
      return new Response({ found: new Response._Found({ length }) });
    },
  ),

  SortedSetUnionStore: unary<
    cache.cache_client._SortedSetUnionStoreRequest,
    cache.cache_client._SortedSetUnionStoreResponse
  >(
    'write',
    (request) => [request.set_name, ...request.sources.map((source) => source.set_name)],
    (keyspace, request) => {
      // Momento answers a union of no sources with INVALID_ARGUMENT (its SDK suite's "errors when no
      // source is provided"). Assumption: the wording is ours; the destination is left as it was.
      if (request.sources.length === 0) throw invalidArgument('SortedSetUnionStore needs at least one source');
      const Aggregate = pb._SortedSetUnionStoreRequest.AggregateFunction;
      const combine =
        request.aggregate === Aggregate.MIN
          ? Math.min
          : request.aggregate === Aggregate.MAX
            ? Math.max
            : (a: number, b: number) => a + b;
      // Read every source before writing: the destination may be one of them.
      const union = new Map<string, number>();
      for (const source of request.sources) {
        const elements = keyspace.read(source.set_name, 'sorted-set')?.value ?? new Map<string, number>();
        for (const [value, score] of elements) {
          const weighted = score * source.weight;
          const previous = union.get(value);
          union.set(value, previous === undefined ? weighted : combine(previous, weighted));
        }
      }
      // Assumption: as Redis's ZUNIONSTORE, the result replaces the destination (of any type), and
      // an empty result leaves no destination.
      keyspace.delete(request.set_name);
      if (union.size > 0) keyspace.put(request.set_name, 'sorted-set', union, request.ttl_milliseconds);
      return new pb._SortedSetUnionStoreResponse({ length: union.size });
    },
  ),
};
