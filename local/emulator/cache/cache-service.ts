import { cache } from '@gomomento/generated-types';
import type * as grpc from '@grpc/grpc-js';
import type { CallGuard } from '../call-guard';
import type { CacheStore } from './cache-store';
import { bindDataCall, type DataCall } from './data-call';
import { dictionaryCalls } from './dictionary-calls';
import { listCalls } from './list-calls';
import { unimplemented } from './momento-errors';
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
 * completion synchronously. Rpcs the emulator lacks answer UNIMPLEMENTED (the SDK's BadRequestError).
 */
export function createCacheService(store: CacheStore, guard: CallGuard): grpc.UntypedServiceImplementation {
  const implementation: grpc.UntypedServiceImplementation = {};
  for (const [rpc, method] of Object.entries(cache.cache_client.UnimplementedScsService.definition)) {
    const call = dataCalls[rpc];
    if (call !== undefined) {
      implementation[rpc] = bindDataCall(store, guard, call) as grpc.UntypedHandleCall;
    } else if (method.responseStream) {
      implementation[rpc] = ((stream: grpc.ServerWritableStream<unknown, unknown>) => {
        stream.emit('error', unimplemented(rpc));
      }) as grpc.UntypedHandleCall;
    } else {
      implementation[rpc] = ((_call: unknown, callback: grpc.sendUnaryData<never>) => callback(unimplemented(rpc))) as grpc.UntypedHandleCall;
    }
  }
  return implementation;
}
