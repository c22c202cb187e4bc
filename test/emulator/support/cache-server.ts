import { cache, control } from '@gomomento/generated-types';
import * as grpc from '@grpc/grpc-js';
import { allowEverything } from '../../../local/emulator/call-guard';
import { CacheStore, createCacheService, createControlService } from '../../../local/emulator/cache';

/**
 * Test-only: the cache and control services on 127.0.0.1 with an ephemeral port, until the full
 * emulator's startEmulator() is available.
 */
export interface RunningCacheServer {
  readonly hostname: string;
  readonly port: number;
  readonly store: CacheStore;
  stop(): Promise<void>;
}

export async function startCacheServer(options?: { now?: () => number }): Promise<RunningCacheServer> {
  const store = new CacheStore({ now: options?.now });
  const server = new grpc.Server();
  server.addService(control.control_client.UnimplementedScsControlService.definition, createControlService(store, allowEverything));
  server.addService(cache.cache_client.UnimplementedScsService.definition, createCacheService(store, allowEverything));
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound)));
  });
  return {
    hostname: '127.0.0.1',
    port,
    store,
    stop: async () => {
      store.close();
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    },
  };
}
