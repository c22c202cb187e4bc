import { status } from '@grpc/grpc-js';
import { cache, control, ping, pubsub, token } from '@gomomento/generated-types';
import { SUPER_USER, type Scope } from './auth/permissions';
import { envelopeToken, TokenAuthority } from './auth/token-authority';
import { TokenGuard } from './auth/token-guard';
import { createTokenService } from './auth/token-service';
import { CacheStore, createCacheService, createControlService } from './cache';
import { FaultController } from './faults';
import { listenGrpc, type ServedService } from './server';
import { statusError } from './status-error';
import { StatsCounter, type EmulatorStats } from './stats';
import { listenHttpTopics } from './topics/http-topics';
import { createPubsubService } from './topics/pubsub-service';
import { TopicHub } from './topics/topic-hub';

/** Options of `startEmulator`; every one has a default fit for tests. */
export interface EmulatorOptions {
  /** gRPC port; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** Interface both servers listen on. @default '127.0.0.1' */
  readonly hostname?: string;
  /** Port of the HTTP topics API; 0 picks a free one. @default 0 */
  readonly httpPort?: number;
  /** How often open subscriptions get a heartbeat, in ms. @default 5000 */
  readonly heartbeatIntervalMs?: number;
  /** How many recent items each topic keeps for resuming subscribers. @default 1000 */
  readonly retainedItemsPerTopic?: number;
  /** Longest an HTTP long poll waits before answering with no items, in ms. @default 30000 */
  readonly longPollTimeoutMs?: number;
  /** Caches to create at start. @default - none */
  readonly caches?: readonly string[];
}

/** A running emulator. */
export interface Emulator {
  readonly hostname: string;
  readonly port: number;
  /** `hostname:port` of the gRPC server (cache, control, topics, token). */
  readonly address: string;
  /** `http://hostname:port` of the HTTP topics API. */
  readonly httpUrl: string;
  /** Fault injection: failed calls, latency, dropped streams, refused connections. */
  readonly faults: FaultController;
  /** The caches and their items. */
  readonly store: CacheStore;
  /** Counters for benchmarks: calls per method, messages and bytes published, items delivered. */
  stats(): EmulatorStats;
  /** Zeroes the counters. */
  resetStats(): void;
  /**
   * Mints an api key in the SDK's token form (for `CredentialProvider.fromDisposableToken` with
   * `endpointOverrides`), a super user by default. It stands in for the Momento API keys the
   * project keeps in Secrets Manager.
   */
  createApiKey(options?: { scope?: Scope; tokenId?: string; validForSeconds?: number }): string;
  /**
   * `Service/Method` of every call in @gomomento/generated-types this emulator does not serve; each
   * answers UNIMPLEMENTED with "the local emulator does not serve <call>" (docs/emulator.md).
   */
  readonly unservedCalls: readonly string[];
  /** Closes every stream, connection and server at once. */
  stop(): Promise<void>;
}

/** Starts the Momento-compatible emulator: gRPC services plus the HTTP topics API. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const hostname = options.hostname ?? '127.0.0.1';
  const stats = new StatsCounter();
  const faults = new FaultController();
  const store = new CacheStore();
  for (const name of options.caches ?? []) store.ensureCache(name);
  const authority = new TokenAuthority();
  const guard = new TokenGuard(authority);
  const hub = new TopicHub({
    hasCache: (name) => store.hasCache(name),
    stats,
    ...(options.retainedItemsPerTopic !== undefined ? { retainedItems: options.retainedItemsPerTopic } : {}),
    ...(options.heartbeatIntervalMs !== undefined ? { heartbeatIntervalMs: options.heartbeatIntervalMs } : {}),
  });
  let address = '';

  const services: ServedService[] = [
    {
      definition: cache.cache_client.UnimplementedScsService.definition,
      implementation: createCacheService(store, guard),
      kind: 'cache',
    },
    {
      definition: control.control_client.UnimplementedScsControlService.definition,
      implementation: createControlService(store, guard),
      kind: 'control',
    },
    {
      definition: pubsub.cache_client.pubsub.UnimplementedPubsubService.definition,
      implementation: createPubsubService(hub, guard, stats),
      kind: 'pubsub',
    },
    {
      definition: token.token.UnimplementedTokenService.definition,
      implementation: createTokenService(authority, guard, () => address),
      kind: 'auth',
    },
    {
      definition: ping.cache_client.UnimplementedPingService.definition,
      implementation: {
        Ping: (_call: unknown, callback: (e: null, r: unknown) => void) =>
          callback(null, new ping.cache_client._PingResponse()),
      },
      kind: 'ping',
    },
  ];
  // Every other Momento service and call (the legacy Auth service, leaderboards, webhooks,
  // functions, signing keys, ...) answers UNIMPLEMENTED, naming the call: see listenGrpc.

  const grpcServer = await listenGrpc({ hostname, port: options.port ?? 0, services, faults, stats });
  let httpServer;
  try {
    httpServer = await listenHttpTopics({
      hostname,
      port: options.httpPort ?? 0,
      hub,
      guard,
      faults,
      stats,
      ...(options.longPollTimeoutMs !== undefined ? { longPollTimeoutMs: options.longPollTimeoutMs } : {}),
    });
  } catch (error) {
    await grpcServer.stop();
    throw error;
  }
  address = `${hostname}:${grpcServer.port}`;
  const http = httpServer;

  faults.attach({
    // Assumption: a stream Momento drops ends with UNAVAILABLE, which the SDK resubscribes after.
    dropSubscriptions: () => hub.failAll(statusError(status.UNAVAILABLE, 'subscription dropped by an injected fault')),
    resetConnections: () => {
      grpcServer.resetConnections();
      http.resetConnections();
    },
  });

  let stopped: Promise<void> | undefined;
  return {
    hostname,
    port: grpcServer.port,
    address,
    httpUrl: `http://${hostname}:${http.port}`,
    unservedCalls: grpcServer.unservedCalls,
    faults,
    store,
    stats: () => stats.snapshot(hub.openSubscriptions),
    resetStats: () => stats.reset(),
    createApiKey: (keyOptions = {}) => {
      const minted = authority.mintApiKey({
        scope: keyOptions.scope ?? SUPER_USER,
        kind: 'api-key',
        ...(keyOptions.tokenId !== undefined ? { tokenId: keyOptions.tokenId } : {}),
        ...(keyOptions.validForSeconds !== undefined ? { validForSeconds: keyOptions.validForSeconds } : {}),
      });
      return envelopeToken(minted.apiKey, address);
    },
    stop: () => {
      stopped ??= (async () => {
        faults.clear();
        hub.close(statusError(status.UNAVAILABLE, 'the emulator is stopping'));
        store.close();
        await Promise.all([grpcServer.stop(), http.stop()]);
      })();
      return stopped;
    },
  };
}
