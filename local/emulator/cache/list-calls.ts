import { cache } from '@gomomento/generated-types';
import { bytesEqual } from './cache-item';
import { collectionTtlOf } from './collection-ttl';
import { unary } from './data-call';
import type { Keyspace } from './keyspace';
import { sliceBounds } from './list-slice';
import { invalidArgument } from './momento-errors';

const pb = cache.cache_client;
const newList = (): Uint8Array[] => [];

interface BackWrite {
  list_name: Uint8Array;
  ttl_milliseconds: number;
  refresh_ttl: boolean;
  truncate_front_to_size: number;
}
interface FrontWrite {
  list_name: Uint8Array;
  ttl_milliseconds: number;
  refresh_ttl: boolean;
  truncate_back_to_size: number;
}

/** Appends, then drops elements from the front so that at most `truncate_front_to_size` remain (0: no limit). */
function appendBack(keyspace: Keyspace, request: BackWrite, values: readonly Uint8Array[]): number {
  const list = keyspace.upsertCollection(request.list_name, 'list', collectionTtlOf(request), newList).value;
  list.push(...values);
  const limit = request.truncate_front_to_size;
  if (limit > 0 && list.length > limit) list.splice(0, list.length - limit);
  keyspace.dropIfEmpty(request.list_name);
  return list.length;
}

/** Prepends (keeping the given order), then drops elements from the back down to `truncate_back_to_size`. */
function prependFront(keyspace: Keyspace, request: FrontWrite, values: readonly Uint8Array[]): number {
  const list = keyspace.upsertCollection(request.list_name, 'list', collectionTtlOf(request), newList).value;
  list.unshift(...values);
  const limit = request.truncate_back_to_size;
  if (limit > 0 && list.length > limit) list.length = limit;
  keyspace.dropIfEmpty(request.list_name);
  return list.length;
}

interface RangeRequest {
  start_index: 'none' | 'unbounded_start' | 'inclusive_start';
  inclusive_start: number;
  end_index: 'none' | 'unbounded_end' | 'exclusive_end';
  exclusive_end: number;
}

function rangeOf(length: number, request: RangeRequest): [number, number] {
  return sliceBounds(
    length,
    request.start_index === 'inclusive_start' ? request.inclusive_start : undefined,
    request.end_index === 'exclusive_end' ? request.exclusive_end : undefined,
  );
}

/** List calls. */
export const listCalls = {
  ListConcatenateBack: unary<
    cache.cache_client._ListConcatenateBackRequest,
    cache.cache_client._ListConcatenateBackResponse
  >(
    'write',
    (request) => [request.list_name],
    (keyspace, request) =>
      new pb._ListConcatenateBackResponse({ list_length: appendBack(keyspace, request, request.values) }),
  ),

  ListConcatenateFront: unary<
    cache.cache_client._ListConcatenateFrontRequest,
    cache.cache_client._ListConcatenateFrontResponse
  >(
    'write',
    (request) => [request.list_name],
    (keyspace, request) =>
      new pb._ListConcatenateFrontResponse({ list_length: prependFront(keyspace, request, request.values) }),
  ),

  ListPushBack: unary<cache.cache_client._ListPushBackRequest, cache.cache_client._ListPushBackResponse>(
    'write',
    (request) => [request.list_name],
    (keyspace, request) =>
      new pb._ListPushBackResponse({ list_length: appendBack(keyspace, request, [request.value]) }),
  ),

  ListPushFront: unary<cache.cache_client._ListPushFrontRequest, cache.cache_client._ListPushFrontResponse>(
    'write',
    (request) => [request.list_name],
    (keyspace, request) =>
      new pb._ListPushFrontResponse({ list_length: prependFront(keyspace, request, [request.value]) }),
  ),

  ListPopFront: unary<cache.cache_client._ListPopFrontRequest, cache.cache_client._ListPopFrontResponse>(
    'write',
    (request) => [request.list_name],
    (keyspace, request) => {
      const list = keyspace.read(request.list_name, 'list')?.value;
      const front = list?.shift();
      if (list === undefined || front === undefined)
        return new pb._ListPopFrontResponse({ missing: new pb._ListPopFrontResponse._Missing() });
      keyspace.dropIfEmpty(request.list_name);
      return new pb._ListPopFrontResponse({
        found: new pb._ListPopFrontResponse._Found({ front, list_length: list.length }),
      });
    },
  ),

  ListPopBack: unary<cache.cache_client._ListPopBackRequest, cache.cache_client._ListPopBackResponse>(
    'write',
    (request) => [request.list_name],
    (keyspace, request) => {
      const list = keyspace.read(request.list_name, 'list')?.value;
      const back = list?.pop();
      if (list === undefined || back === undefined)
        return new pb._ListPopBackResponse({ missing: new pb._ListPopBackResponse._Missing() });
      keyspace.dropIfEmpty(request.list_name);
      return new pb._ListPopBackResponse({
        found: new pb._ListPopBackResponse._Found({ back, list_length: list.length }),
      });
    },
  ),

  ListFetch: unary<cache.cache_client._ListFetchRequest, cache.cache_client._ListFetchResponse>(
    'read',
    (request) => [request.list_name],
    (keyspace, request) => {
      const list = keyspace.read(request.list_name, 'list')?.value;
      if (list === undefined) return new pb._ListFetchResponse({ missing: new pb._ListFetchResponse._Missing() });
      const [from, to] = rangeOf(list.length, request);
      return new pb._ListFetchResponse({ found: new pb._ListFetchResponse._Found({ values: list.slice(from, to) }) });
    },
  ),

  ListRetain: unary<cache.cache_client._ListRetainRequest, cache.cache_client._ListRetainResponse>(
    'write',
    (request) => [request.list_name],
    (keyspace, request) => {
      const item = keyspace.read(request.list_name, 'list');
      if (item === undefined) return new pb._ListRetainResponse({ missing: new pb._ListRetainResponse._Missing() });
      const [from, to] = rangeOf(item.value.length, request);
      item.value = item.value.slice(from, to);
      if (request.refresh_ttl) keyspace.setRemainingTtl(item, request.ttl_milliseconds);
      keyspace.dropIfEmpty(request.list_name);
      return new pb._ListRetainResponse({
        found: new pb._ListRetainResponse._Found({ list_length: item.value.length }),
      });
    },
  ),

  ListLength: unary<cache.cache_client._ListLengthRequest, cache.cache_client._ListLengthResponse>(
    'read',
    (request) => [request.list_name],
    (keyspace, request) => {
      const list = keyspace.read(request.list_name, 'list')?.value;
      if (list === undefined) return new pb._ListLengthResponse({ missing: new pb._ListLengthResponse._Missing() });
      return new pb._ListLengthResponse({ found: new pb._ListLengthResponse._Found({ length: list.length }) });
    },
  ),

  ListRemove: unary<cache.cache_client._ListRemoveRequest, cache.cache_client._ListRemoveResponse>(
    'write',
    (request) => [request.list_name],
    (keyspace, request) => {
      const item = keyspace.read(request.list_name, 'list');
      if (item === undefined) return new pb._ListRemoveResponse({ missing: new pb._ListRemoveResponse._Missing() });
      const unwanted = request.all_elements_with_value;
      item.value = item.value.filter((value) => !bytesEqual(value, unwanted));
      keyspace.dropIfEmpty(request.list_name);
      return new pb._ListRemoveResponse({
        found: new pb._ListRemoveResponse._Found({ list_length: item.value.length }),
      });
    },
  ),

  ListErase: unary<cache.cache_client._ListEraseRequest, cache.cache_client._ListEraseResponse>(
    'write',
    (request) => [request.list_name],
    (keyspace, request) => {
      const item = keyspace.read(request.list_name, 'list');
      if (item === undefined) return new pb._ListEraseResponse({ missing: new pb._ListEraseResponse._Missing() });
      if (request.erase === 'all') {
        item.value = [];
      } else if (request.erase === 'some') {
        // Ranges index the list as it was before the call.
        const erased = new Set<number>();
        for (const range of request.some.ranges) {
          for (let i = range.begin_index; i < range.begin_index + range.count && i < item.value.length; i += 1)
            erased.add(i);
        }
        item.value = item.value.filter((_value, index) => !erased.has(index));
      } else {
        throw invalidArgument('ListErase needs some ranges or all');
      }
      const length = item.value.length;
      keyspace.dropIfEmpty(request.list_name);
      return new pb._ListEraseResponse({ found: new pb._ListEraseResponse._Found({ list_length: length }) });
    },
  ),
};
