import type { RuntimeConfig } from '../../lambda/core/runtime/config';
import { createHandlerDependencies } from '../../lambda/core/runtime/handler-dependencies';
import type { LifecycleEventSink } from '../../lambda/core/ports/lifecycle-event-sink';
import type { MomentoPorts } from '../../lambda/core/ports/momento-ports';
import type { EngineMetrics } from '../../lambda/core/ports/observability';
import { handleEntitlementRequest } from '../../lambda/entitlement/handle-entitlement-request';
import { startHeartbeatSubscriber } from '../../lambda/heartbeat-subscriber/heartbeat-subscriber';
import { handleTokenRequest } from '../../lambda/token-vending/handle-token-request';
import type { ConcurrencyEngine } from '../../lambda/core/engine/engine-types';
import type { ApiRoutes } from './local-api-server';

export interface LocalBackendOptions {
  readonly config: RuntimeConfig;
  readonly ports: MomentoPorts;
  /** Where lifecycle events go (the dashboard) instead of EventBridge. */
  readonly events: LifecycleEventSink;
  readonly metrics: EngineMetrics;
}

/** The API routes and the heartbeat subscriber, running in the playground's process. */
export interface LocalBackend {
  readonly routes: ApiRoutes;
  /** The engine behind the routes (the dashboard's entitlement checks use it too). */
  readonly engine: ConcurrencyEngine;
  stop(): Promise<void>;
}

/**
 * The deployed system's runtime, in-process: the token-vending and entitlement handlers' own
 * request handling (`handleTokenRequest`, `handleEntitlementRequest`) over handler dependencies
 * wired to the emulator, and `startHeartbeatSubscriber` on the same ports. Only EventBridge is
 * swapped, for the given sink.
 */
export async function startLocalBackend(options: LocalBackendOptions): Promise<LocalBackend> {
  const { config, ports, events, metrics } = options;
  const deps = createHandlerDependencies(config, ports, { events, metrics });
  const subscriber = await startHeartbeatSubscriber(config, {
    ports,
    // The same secret as token vending's, so the subscriber accepts the keys of its grants.
    sessionKeys: deps.sessionKeys,
    events,
    metrics,
    // No health endpoint: the playground's own server is the thing to watch.
    options: { healthPort: false, drainTimeoutMs: 3000 },
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(
            `the heartbeat subscriber did not subscribe within 10 s: ${subscriber.stats().lastError ?? 'no error reported'}`,
          ),
        ),
      10_000,
    );
  });
  try {
    await Promise.race([subscriber.ready(), timeout]);
  } catch (error) {
    await subscriber.stop();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return {
    engine: deps.engine,
    routes: {
      createToken: (event) => handleTokenRequest(event, deps),
      listSessions: (event) => handleEntitlementRequest(event, deps),
      checkSession: (event) => handleEntitlementRequest(event, deps),
      endSession: (event) => handleEntitlementRequest(event, deps),
    },
    stop: () => subscriber.stop(),
  };
}
