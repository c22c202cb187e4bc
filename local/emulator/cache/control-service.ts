import { control } from '@gomomento/generated-types';
import type * as grpc from '@grpc/grpc-js';
import { z } from 'zod';
import type { CallGuard } from '../call-guard';
import type { CacheStore } from './cache-store';
import { invalidArgument, toServiceError } from './momento-errors';

const pb = control.control_client;

/** Momento's own SDK rejects empty names before sending; a raw client may not. */
const cacheName = z.string().trim().min(1, 'cache name must not be empty');

function nameOf(request: { cache_name: string }): string {
  const parsed = cacheName.safeParse(request.cache_name);
  if (!parsed.success) throw invalidArgument(parsed.error.issues[0]?.message ?? 'invalid cache name');
  return parsed.data;
}

/** A unary control call: authorize as a super user, then act on the store. */
function controlCall<Req, Res>(guard: CallGuard, act: (request: Req) => Res): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    let response: Res;
    try {
      guard.authorizeControl(call.metadata);
      response = act(call.request);
    } catch (error) {
      callback(toServiceError(error));
      return;
    }
    callback(null, response);
  };
}

/** A control call on one named cache (create, delete, flush) that answers an empty response. */
function namedCacheCall<Res>(
  guard: CallGuard,
  Response: new () => Res,
  act: (name: string) => void,
): grpc.handleUnaryCall<{ cache_name: string }, Res> {
  return controlCall(guard, (request: { cache_name: string }) => {
    act(nameOf(request));
    return new Response();
  });
}

/**
 * The control plane (`control_client.ScsControl`): create, list, delete and flush caches. Signing
 * keys and vector indexes are left out; the server answers them UNIMPLEMENTED, naming them.
 */
export function createControlService(store: CacheStore, guard: CallGuard): grpc.UntypedServiceImplementation {
  const implementation: grpc.UntypedServiceImplementation = {
    CreateCache: namedCacheCall(guard, pb._CreateCacheResponse, (name) => store.createCache(name)),
    DeleteCache: namedCacheCall(guard, pb._DeleteCacheResponse, (name) => store.deleteCache(name)),
    FlushCache: namedCacheCall(guard, pb._FlushCacheResponse, (name) => store.flushCache(name)),
    ListCaches: controlCall<control.control_client._ListCachesRequest, control.control_client._ListCachesResponse>(
      guard,
      () =>
        // Assumption: one page holds every cache (next_token stays empty); limits are left unset.
        new pb._ListCachesResponse({
          cache: store.listCaches().map((name) => new pb._Cache({ cache_name: name })),
          next_token: '',
        }),
    ),
  };
  return implementation;
}
