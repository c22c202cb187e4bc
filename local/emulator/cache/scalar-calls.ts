import { cache } from '@gomomento/generated-types';
import { bytesEqual, type CacheItem } from './cache-item';
import { streaming, unary } from './data-call';
import type { Keyspace } from './keyspace';
import { invalidArgument, notAnInteger } from './momento-errors';

const pb = cache.cache_client;
const { ECacheResult } = pb;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Parses a stored value as Momento's increment does: a base-10 signed 64-bit integer. */
export function parseCounter(bytes: Uint8Array): bigint {
  const text = Buffer.from(bytes).toString('utf8');
  if (!/^[+-]?\d+$/.test(text)) throw notAnInteger();
  const value = BigInt(text);
  if (value < INT64_MIN || value > INT64_MAX) throw notAnInteger();
  return value;
}

/** Adds `amount` to a counter, failing as Momento does when the result leaves int64. */
export function addToCounter(current: bigint, amount: number): bigint {
  const next = current + BigInt(amount);
  if (next < INT64_MIN || next > INT64_MAX) throw notAnInteger();
  return next;
}

function getOne(keyspace: Keyspace, key: Uint8Array): cache.cache_client._GetResponse {
  const item = keyspace.read(key, 'scalar');
  return item === undefined
    ? new pb._GetResponse({ result: ECacheResult.Miss })
    : new pb._GetResponse({ result: ECacheResult.Hit, cache_body: item.value });
}

function setOne(keyspace: Keyspace, request: cache.cache_client._SetRequest): cache.cache_client._SetResponse {
  keyspace.put(request.cache_key, 'scalar', request.cache_body, request.ttl_milliseconds);
  return new pb._SetResponse({ result: ECacheResult.Ok });
}

/** Whether a SetIf condition holds for the current scalar (undefined when the key is absent). */
function conditionHolds(request: cache.cache_client._SetIfRequest, current: CacheItem<'scalar'> | undefined): boolean {
  const equals = (expected: Uint8Array): boolean => current !== undefined && bytesEqual(current.value, expected);
  switch (request.condition) {
    case 'present':
      return current !== undefined;
    case 'absent':
      return current === undefined;
    case 'equal':
      return equals(request.equal.value_to_check);
    case 'absent_or_equal':
      return current === undefined || equals(request.absent_or_equal.value_to_check);
    case 'not_equal':
      // The SDK documents setIfNotEqual as storing when the key is absent too (unlike setIfPresentAndNotEqual).
      return !equals(request.not_equal.value_to_check);
    case 'present_and_not_equal':
      return current !== undefined && !equals(request.present_and_not_equal.value_to_check);
    default:
      throw invalidArgument('SetIf needs a condition');
  }
}

const itemTypes = {
  scalar: pb._ItemGetTypeResponse.ItemType.SCALAR,
  dictionary: pb._ItemGetTypeResponse.ItemType.DICTIONARY,
  set: pb._ItemGetTypeResponse.ItemType.SET,
  list: pb._ItemGetTypeResponse.ItemType.LIST,
  'sorted-set': pb._ItemGetTypeResponse.ItemType.SORTED_SET,
} as const;

/** Get, set, delete, conditional sets, counters and TTL calls on single items. */
export const scalarCalls = {
  Get: unary<cache.cache_client._GetRequest, cache.cache_client._GetResponse>(
    'read',
    (request) => [request.cache_key],
    (keyspace, request) => getOne(keyspace, request.cache_key),
  ),

  GetBatch: streaming<cache.cache_client._GetBatchRequest, cache.cache_client._GetResponse>(
    'read',
    (request) => request.items.map((item) => item.cache_key),
    (keyspace, request) => request.items.map((item) => getOne(keyspace, item.cache_key)),
  ),

  Set: unary<cache.cache_client._SetRequest, cache.cache_client._SetResponse>(
    'write',
    (request) => [request.cache_key],
    setOne,
  ),

  SetBatch: streaming<cache.cache_client._SetBatchRequest, cache.cache_client._SetResponse>(
    'write',
    (request) => request.items.map((item) => item.cache_key),
    (keyspace, request) => request.items.map((item) => setOne(keyspace, item)),
  ),

  SetIf: unary<cache.cache_client._SetIfRequest, cache.cache_client._SetIfResponse>(
    'write',
    (request) => [request.cache_key],
    (keyspace, request) => {
      // Read, compare and write in one synchronous step: no other call can run in between.
      if (!conditionHolds(request, keyspace.read(request.cache_key, 'scalar'))) {
        return new pb._SetIfResponse({ not_stored: new pb._SetIfResponse._NotStored() });
      }
      keyspace.put(request.cache_key, 'scalar', request.cache_body, request.ttl_milliseconds);
      return new pb._SetIfResponse({ stored: new pb._SetIfResponse._Stored() });
    },
  ),

  SetIfNotExists: unary<cache.cache_client._SetIfNotExistsRequest, cache.cache_client._SetIfNotExistsResponse>(
    'write',
    (request) => [request.cache_key],
    (keyspace, request) => {
      if (keyspace.read(request.cache_key, 'scalar') !== undefined) {
        return new pb._SetIfNotExistsResponse({ not_stored: new pb._SetIfNotExistsResponse._NotStored() });
      }
      keyspace.put(request.cache_key, 'scalar', request.cache_body, request.ttl_milliseconds);
      return new pb._SetIfNotExistsResponse({ stored: new pb._SetIfNotExistsResponse._Stored() });
    },
  ),

  Delete: unary<cache.cache_client._DeleteRequest, cache.cache_client._DeleteResponse>(
    'write',
    (request) => [request.cache_key],
    (keyspace, request) => {
      // Deletes an item of any type, collections included.
      keyspace.delete(request.cache_key);
      return new pb._DeleteResponse();
    },
  ),

  KeysExist: unary<cache.cache_client._KeysExistRequest, cache.cache_client._KeysExistResponse>(
    'read',
    (request) => request.cache_keys,
    (keyspace, request) =>
      new pb._KeysExistResponse({ exists: request.cache_keys.map((key) => keyspace.get(key) !== undefined) }),
  ),

  Increment: unary<cache.cache_client._IncrementRequest, cache.cache_client._IncrementResponse>(
    'write',
    (request) => [request.cache_key],
    (keyspace, request) => {
      const current = keyspace.read(request.cache_key, 'scalar');
      const next = addToCounter(current === undefined ? 0n : parseCounter(current.value), request.amount);
      // Assumption: an increment is a write carrying a TTL, so it resets the item's TTL as set does.
      keyspace.put(request.cache_key, 'scalar', Buffer.from(next.toString(), 'utf8'), request.ttl_milliseconds);
      return new pb._IncrementResponse({ value: Number(next) });
    },
  ),

  UpdateTtl: unary<cache.cache_client._UpdateTtlRequest, cache.cache_client._UpdateTtlResponse>(
    'write',
    (request) => [request.cache_key],
    (keyspace, request) => {
      const item = keyspace.get(request.cache_key);
      if (item === undefined) return new pb._UpdateTtlResponse({ missing: new pb._UpdateTtlResponse._Missing() });
      const remaining = keyspace.remainingTtl(item);
      let target: number;
      let applies: boolean;
      switch (request.update_ttl) {
        case 'overwrite_to_milliseconds':
          target = request.overwrite_to_milliseconds;
          applies = true;
          break;
        case 'increase_to_milliseconds':
          target = request.increase_to_milliseconds;
          applies = target > remaining;
          break;
        case 'decrease_to_milliseconds':
          target = request.decrease_to_milliseconds;
          applies = target < remaining;
          break;
        default:
          throw invalidArgument('UpdateTtl needs increase_to, decrease_to or overwrite_to');
      }
      if (!applies) return new pb._UpdateTtlResponse({ not_set: new pb._UpdateTtlResponse._NotSet() });
      keyspace.setRemainingTtl(item, target);
      return new pb._UpdateTtlResponse({ set: new pb._UpdateTtlResponse._Set() });
    },
  ),

  ItemGetTtl: unary<cache.cache_client._ItemGetTtlRequest, cache.cache_client._ItemGetTtlResponse>(
    'read',
    (request) => [request.cache_key],
    (keyspace, request) => {
      const item = keyspace.get(request.cache_key);
      if (item === undefined) return new pb._ItemGetTtlResponse({ missing: new pb._ItemGetTtlResponse._Missing() });
      return new pb._ItemGetTtlResponse({
        found: new pb._ItemGetTtlResponse._Found({ remaining_ttl_millis: keyspace.remainingTtl(item) }),
      });
    },
  ),

  ItemGetType: unary<cache.cache_client._ItemGetTypeRequest, cache.cache_client._ItemGetTypeResponse>(
    'read',
    (request) => [request.cache_key],
    (keyspace, request) => {
      const item = keyspace.get(request.cache_key);
      if (item === undefined) return new pb._ItemGetTypeResponse({ missing: new pb._ItemGetTypeResponse._Missing() });
      return new pb._ItemGetTypeResponse({
        found: new pb._ItemGetTypeResponse._Found({ item_type: itemTypes[item.kind] }),
      });
    },
  ),
};
