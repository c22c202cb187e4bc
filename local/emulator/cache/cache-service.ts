import { cache } from '@gomomento/generated-types';
import type * as grpc from '@grpc/grpc-js';
import type { CallGuard } from '../call-guard';
import type { CacheStore } from './cache-store';
import { bindDataCall, type DataCall } from './data-call';
import { dictionaryCalls } from './dictionary-calls';
import { listCalls } from './list-calls';
import { scalarCalls } from './scalar-calls';
import { setCalls } from './set-calls';
import { sortedSetCalls } from './sorted-set-calls';

/** Every data-plane rpc the emulator implements, by its name in `cache_client.Scs`. */
const dataCalls: Record<string, DataCall<never, unknown>> = {
  ...scalarCalls,
  ...dictionaryCalls,
  ...listCalls,
  ...setCalls,
  ...sortedSetCalls,
};

/**
 * The data plane (`cache_client.Scs`). Each rpc authorizes through the guard, then runs to
 * completion synchronously. Rpcs the emulator lacks are left out; the server answers them
 * UNIMPLEMENTED, naming them (unserved-calls.ts).
 */
export function createCacheService(store: CacheStore, guard: CallGuard): grpc.UntypedServiceImplementation {
  const implementation: grpc.UntypedServiceImplementation = {};
  for (const rpc of Object.keys(cache.cache_client.UnimplementedScsService.definition)) {
    const call = dataCalls[rpc];
    if (call !== undefined) implementation[rpc] = bindDataCall(store, guard, call) as grpc.UntypedHandleCall;
  }
  return implementation;
}
