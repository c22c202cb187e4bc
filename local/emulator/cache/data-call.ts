import type * as grpc from '@grpc/grpc-js';
import { z } from 'zod';
import type { CacheAccess, CallGuard } from '../call-guard';
import type { CacheStore } from './cache-store';
import type { Keyspace } from './keyspace';
import { invalidArgument, toServiceError } from './momento-errors';

/** One unary data-plane rpc: which keys it touches, and what it does to the cache's items. */
export interface UnaryDataCall<Req, Res> {
  readonly streaming: false;
  readonly access: CacheAccess;
  keys(request: Req): readonly Uint8Array[];
  handle(keyspace: Keyspace, request: Req): Res;
}

/** One server-streaming data-plane rpc (GetBatch, SetBatch): every response is computed up front. */
export interface StreamingDataCall<Req, Res> {
  readonly streaming: true;
  readonly access: CacheAccess;
  keys(request: Req): readonly Uint8Array[];
  handle(keyspace: Keyspace, request: Req): Res[];
}

export type DataCall<Req, Res> = UnaryDataCall<Req, Res> | StreamingDataCall<Req, Res>;

export function unary<Req, Res>(
  access: CacheAccess,
  keys: (request: Req) => readonly Uint8Array[],
  handle: (keyspace: Keyspace, request: Req) => Res,
): UnaryDataCall<Req, Res> {
  return { streaming: false, access, keys, handle };
}

export function streaming<Req, Res>(
  access: CacheAccess,
  keys: (request: Req) => readonly Uint8Array[],
  handle: (keyspace: Keyspace, request: Req) => Res[],
): StreamingDataCall<Req, Res> {
  return { streaming: true, access, keys, handle };
}

/** The SDK names the cache of every data call in the `cache` metadata header. */
const cacheHeader = z.string().min(1);

function cacheNameOf(metadata: grpc.Metadata): string {
  const parsed = cacheHeader.safeParse(metadata.get('cache')[0]);
  // Assumption: a data call without a cache header is INVALID_ARGUMENT on the real service too.
  if (!parsed.success) throw invalidArgument('missing the "cache" metadata header naming the cache');
  return parsed.data;
}

/**
 * Runs a call: authorize, find the cache (NOT_FOUND when missing), then do the work. All of it is
 * synchronous, so a call never interleaves with another and conditional writes are atomic.
 */
function run<Req, Res>(
  store: CacheStore,
  guard: CallGuard,
  call: DataCall<Req, Res>,
  metadata: grpc.Metadata,
  request: Req,
): Res | Res[] {
  const cacheName = cacheNameOf(metadata);
  guard.authorizeCache(metadata, cacheName, call.access, call.keys(request));
  return call.handle(store.cache(cacheName), request);
}

/** A grpc-js handler for a data call, bound to a store and a guard. */
export function bindDataCall<Req, Res>(
  store: CacheStore,
  guard: CallGuard,
  call: DataCall<Req, Res>,
): grpc.handleUnaryCall<Req, Res> | grpc.handleServerStreamingCall<Req, Res> {
  if (!call.streaming) {
    const handler: grpc.handleUnaryCall<Req, Res> = (serverCall, callback) => {
      let response: Res;
      try {
        response = run(store, guard, call, serverCall.metadata, serverCall.request) as Res;
      } catch (error) {
        callback(toServiceError(error));
        return;
      }
      callback(null, response);
    };
    return handler;
  }
  const handler: grpc.handleServerStreamingCall<Req, Res> = (serverCall) => {
    let responses: Res[];
    try {
      responses = run(store, guard, call, serverCall.metadata, serverCall.request) as Res[];
    } catch (error) {
      // grpc-js turns an 'error' event on a server stream into the call's status.
      serverCall.emit('error', toServiceError(error));
      return;
    }
    for (const response of responses) serverCall.write(response);
    serverCall.end();
  };
  return handler;
}
