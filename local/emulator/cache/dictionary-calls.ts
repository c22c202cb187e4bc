import { cache } from '@gomomento/generated-types';
import { bytesToKey, keyToBytes } from './cache-item';
import { collectionTtlOf } from './collection-ttl';
import { unary } from './data-call';
import { invalidArgument } from './momento-errors';
import { addToCounter, parseCounter } from './scalar-calls';

const pb = cache.cache_client;
const { ECacheResult } = pb;
const newDictionary = (): Map<string, Uint8Array> => new Map();

/** Dictionary (hash) calls. */
export const dictionaryCalls = {
  DictionarySet: unary<cache.cache_client._DictionarySetRequest, cache.cache_client._DictionarySetResponse>(
    'write',
    (request) => [request.dictionary_name],
    (keyspace, request) => {
      const dictionary = keyspace.upsertCollection(
        request.dictionary_name,
        'dictionary',
        collectionTtlOf(request),
        newDictionary,
      );
      for (const pair of request.items) dictionary.value.set(bytesToKey(pair.field), pair.value);
      keyspace.dropIfEmpty(request.dictionary_name);
      return new pb._DictionarySetResponse();
    },
  ),

  DictionaryGet: unary<cache.cache_client._DictionaryGetRequest, cache.cache_client._DictionaryGetResponse>(
    'read',
    (request) => [request.dictionary_name],
    (keyspace, request) => {
      const dictionary = keyspace.read(request.dictionary_name, 'dictionary');
      if (dictionary === undefined)
        return new pb._DictionaryGetResponse({ missing: new pb._DictionaryGetResponse._Missing() });
      const items = request.fields.map((field) => {
        const value = dictionary.value.get(bytesToKey(field));
        return value === undefined
          ? new pb._DictionaryGetResponse._DictionaryGetResponsePart({ result: ECacheResult.Miss })
          : new pb._DictionaryGetResponse._DictionaryGetResponsePart({ result: ECacheResult.Hit, cache_body: value });
      });
      return new pb._DictionaryGetResponse({ found: new pb._DictionaryGetResponse._Found({ items }) });
    },
  ),

  DictionaryFetch: unary<cache.cache_client._DictionaryFetchRequest, cache.cache_client._DictionaryFetchResponse>(
    'read',
    (request) => [request.dictionary_name],
    (keyspace, request) => {
      const dictionary = keyspace.read(request.dictionary_name, 'dictionary');
      if (dictionary === undefined)
        return new pb._DictionaryFetchResponse({ missing: new pb._DictionaryFetchResponse._Missing() });
      const items = [...dictionary.value].map(
        ([field, value]) => new pb._DictionaryFieldValuePair({ field: keyToBytes(field), value }),
      );
      return new pb._DictionaryFetchResponse({ found: new pb._DictionaryFetchResponse._Found({ items }) });
    },
  ),

  DictionaryIncrement: unary<
    cache.cache_client._DictionaryIncrementRequest,
    cache.cache_client._DictionaryIncrementResponse
  >(
    'write',
    (request) => [request.dictionary_name],
    (keyspace, request) => {
      // Validate the field before creating anything, so a failed increment leaves no empty dictionary.
      const existing = keyspace.read(request.dictionary_name, 'dictionary')?.value.get(bytesToKey(request.field));
      const next = addToCounter(existing === undefined ? 0n : parseCounter(existing), request.amount);
      const dictionary = keyspace.upsertCollection(
        request.dictionary_name,
        'dictionary',
        collectionTtlOf(request),
        newDictionary,
      );
      dictionary.value.set(bytesToKey(request.field), Buffer.from(next.toString(), 'utf8'));
      return new pb._DictionaryIncrementResponse({ value: Number(next) });
    },
  ),

  DictionaryDelete: unary<cache.cache_client._DictionaryDeleteRequest, cache.cache_client._DictionaryDeleteResponse>(
    'write',
    (request) => [request.dictionary_name],
    (keyspace, request) => {
      const dictionary = keyspace.read(request.dictionary_name, 'dictionary');
      if (dictionary !== undefined) {
        switch (request.delete) {
          case 'all':
            dictionary.value.clear();
            break;
          case 'some':
            for (const field of request.some.fields) dictionary.value.delete(bytesToKey(field));
            break;
          default:
            throw invalidArgument('DictionaryDelete needs some fields or all');
        }
        keyspace.dropIfEmpty(request.dictionary_name);
      }
      return new pb._DictionaryDeleteResponse();
    },
  ),

  DictionaryLength: unary<cache.cache_client._DictionaryLengthRequest, cache.cache_client._DictionaryLengthResponse>(
    'read',
    (request) => [request.dictionary_name],
    (keyspace, request) => {
      const dictionary = keyspace.read(request.dictionary_name, 'dictionary');
      if (dictionary === undefined)
        return new pb._DictionaryLengthResponse({ missing: new pb._DictionaryLengthResponse._Missing() });
      return new pb._DictionaryLengthResponse({
        found: new pb._DictionaryLengthResponse._Found({ length: dictionary.value.size }),
      });
    },
  ),
};
