import { cache } from '@gomomento/generated-types';
import { bytesToKey, keyToBytes } from './cache-item';
import { collectionTtlOf } from './collection-ttl';
import { unary } from './data-call';
import { invalidArgument } from './momento-errors';

const pb = cache.cache_client;
const newSet = (): Set<string> => new Set();

/** Up to `count` distinct elements chosen at random (a partial Fisher-Yates shuffle). */
function sample(set: Set<string>, count: number): string[] {
  const pool = [...set];
  const wanted = Math.min(count, pool.length);
  for (let i = 0; i < wanted; i += 1) {
    const j = i + Math.floor(Math.random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j] as string, pool[i] as string];
  }
  return pool.slice(0, wanted);
}

/** Set calls (unordered sets of distinct elements). */
export const setCalls = {
  SetUnion: unary<cache.cache_client._SetUnionRequest, cache.cache_client._SetUnionResponse>(
    'write',
    (request) => [request.set_name],
    (keyspace, request) => {
      const set = keyspace.upsertCollection(request.set_name, 'set', collectionTtlOf(request), newSet).value;
      for (const element of request.elements) set.add(bytesToKey(element));
      keyspace.dropIfEmpty(request.set_name);
      return new pb._SetUnionResponse();
    },
  ),

  SetDifference: unary<cache.cache_client._SetDifferenceRequest, cache.cache_client._SetDifferenceResponse>(
    'write',
    (request) => [request.set_name],
    (keyspace, request) => {
      const Response = pb._SetDifferenceResponse;
      const set = keyspace.read(request.set_name, 'set')?.value;
      if (set === undefined) return new Response({ missing: new Response._Missing() });
      if (request.difference !== 'subtrahend') {
        // Assumption: only the subtrahend form (what the SDK's setRemoveElement(s) sends) is needed.
        throw invalidArgument('SetDifference supports only a subtrahend');
      }
      if (request.subtrahend.subtrahend_set === 'identity') set.clear();
      else for (const element of request.subtrahend.set.elements) set.delete(bytesToKey(element));
      keyspace.dropIfEmpty(request.set_name);
      return new Response({ found: new Response._Found() });
    },
  ),

  SetFetch: unary<cache.cache_client._SetFetchRequest, cache.cache_client._SetFetchResponse>(
    'read',
    (request) => [request.set_name],
    (keyspace, request) => {
      const set = keyspace.read(request.set_name, 'set')?.value;
      if (set === undefined) return new pb._SetFetchResponse({ missing: new pb._SetFetchResponse._Missing() });
      return new pb._SetFetchResponse({
        found: new pb._SetFetchResponse._Found({ elements: [...set].map(keyToBytes) }),
      });
    },
  ),

  SetContains: unary<cache.cache_client._SetContainsRequest, cache.cache_client._SetContainsResponse>(
    'read',
    (request) => [request.set_name],
    (keyspace, request) => {
      const set = keyspace.read(request.set_name, 'set')?.value;
      if (set === undefined) return new pb._SetContainsResponse({ missing: new pb._SetContainsResponse._Missing() });
      const contains = request.elements.map((element) => set.has(bytesToKey(element)));
      return new pb._SetContainsResponse({ found: new pb._SetContainsResponse._Found({ contains }) });
    },
  ),

  SetLength: unary<cache.cache_client._SetLengthRequest, cache.cache_client._SetLengthResponse>(
    'read',
    (request) => [request.set_name],
    (keyspace, request) => {
      const set = keyspace.read(request.set_name, 'set')?.value;
      if (set === undefined) return new pb._SetLengthResponse({ missing: new pb._SetLengthResponse._Missing() });
      return new pb._SetLengthResponse({ found: new pb._SetLengthResponse._Found({ length: set.size }) });
    },
  ),

  SetSample: unary<cache.cache_client._SetSampleRequest, cache.cache_client._SetSampleResponse>(
    'read',
    (request) => [request.set_name],
    (keyspace, request) => {
      const set = keyspace.read(request.set_name, 'set')?.value;
      if (set === undefined) return new pb._SetSampleResponse({ missing: new pb._SetSampleResponse._Missing() });
      const elements = sample(set, request.limit).map(keyToBytes);
      return new pb._SetSampleResponse({ found: new pb._SetSampleResponse._Found({ elements }) });
    },
  ),

  SetPop: unary<cache.cache_client._SetPopRequest, cache.cache_client._SetPopResponse>(
    'write',
    (request) => [request.set_name],
    (keyspace, request) => {
      const set = keyspace.read(request.set_name, 'set')?.value;
      if (set === undefined) return new pb._SetPopResponse({ missing: new pb._SetPopResponse._Missing() });
      const popped = sample(set, request.count);
      for (const element of popped) set.delete(element);
      keyspace.dropIfEmpty(request.set_name);
      return new pb._SetPopResponse({ found: new pb._SetPopResponse._Found({ elements: popped.map(keyToBytes) }) });
    },
  ),
};
