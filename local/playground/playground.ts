import { parseRuntimeConfig, type RuntimeConfig } from '../../lambda/core/runtime/config';
import type { MomentoPorts } from '../../lambda/core/ports/momento-ports';
import { createMomentoPorts } from '../../lambda/core/adapters/momento-clients';
import { MetricCounts } from './metric-counts';
import { encodeControlMessage } from '../../lambda/core/messages/control-message';
import { controlTopicName } from '../../lambda/core/engine/scope';
import { startEmulator, type Emulator } from '../emulator';
import { bundleBrowserClient } from './browser-client-bundle';
import { DashboardEventSink } from './dashboard-event-sink';
import { DashboardFeed } from './dashboard-feed';
import { DashboardState } from './dashboard-state';
import { startLocalBackend, type LocalBackend } from './local-backend';
import { closeServer, createLocalApiServer, listen } from './local-api-server';
import { createNodeDeviceRunner } from './node-device-runner';
import type { PlaygroundOptions } from './playground-options';
import { SimulatedDevices, type DeviceRunner } from './simulated-devices';

/** The cache the playground's engine keeps leases and session records in. */
export const PLAYGROUND_CACHE = 'concurrency-tracker';

/** A running playground. */
export interface Playground {
  /** Base URL of the local API (the construct's four routes). */
  readonly apiUrl: string;
  readonly dashboardUrl: string;
  readonly deviceUrl: string;
  /** `host:port` of the emulator's gRPC endpoint. */
  readonly emulatorAddress: string;
  /** The emulator's HTTP topics API. */
  readonly emulatorHttpUrl: string;
  readonly config: RuntimeConfig;
  readonly devices: SimulatedDevices;
  /** Counts of the engine's metrics (what CloudWatch would receive). */
  readonly metrics: MetricCounts;
  /** Stops devices (with stop messages), the server, the subscriber and the emulator. */
  stop(): Promise<void>;
}

/** Account ids the simulated devices use: `acct-1` ... `acct-N`. */
export function playgroundAccounts(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `acct-${i + 1}`);
}

/**
 * Starts the whole system in this process: the emulator, the engine behind the same handler code
 * as the Lambdas, the heartbeat subscriber, the HTTP server with the dashboard, and the simulated
 * devices. Anything that fails part-way is stopped again before the error is rethrown.
 */
export async function startPlayground(options: PlaygroundOptions): Promise<Playground> {
  const cleanups: Array<() => Promise<void> | void> = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        console.error('playground: error while stopping:', error);
      }
    }
    cleanups.length = 0;
  };

  try {
    const emulator: Emulator = await startEmulator({ port: 0, hostname: '127.0.0.1', caches: [PLAYGROUND_CACHE] });
    cleanups.push(() => emulator.stop());

    const config = parseRuntimeConfig({
      CACHE_NAME: PLAYGROUND_CACHE,
      MOMENTO_LOCAL_ENDPOINT: emulator.address,
      HEARTBEAT_INTERVAL_SECONDS: String(options.heartbeatIntervalSeconds),
      LEASE_SECONDS: String(options.leaseSeconds),
      DEFAULT_LIMIT: String(options.limit),
      AT_LIMIT: options.atLimit,
      TOKEN_TTL_SECONDS: String(options.tokenTtlSeconds),
      MAX_SESSION_SECONDS: String(options.maxSessionSeconds),
      FAILURE_MODE: options.failureMode,
      COUNTING_STRATEGY: options.strategy,
      // Trusted-caller mode: the account comes from the body or path, as under IAM.
      ACCOUNT_SOURCE: 'iam',
      HEALTH_PORT: '0',
      POWERTOOLS_SERVICE_NAME: 'concurrency-tracker-playground',
    });
    const ports: MomentoPorts = createMomentoPorts(config);
    cleanups.push(() => ports.close());

    const accounts = playgroundAccounts(options.accounts);
    // The server, the dashboard state, the feed and the devices refer to one another; the
    // references are filled in as each is built.
    let state!: DashboardState;
    let apiUrl = '';
    let runDevice: DeviceRunner | undefined;
    const feed = new DashboardFeed(() => [{ event: 'snapshot', data: state.snapshot() }]);
    cleanups.push(() => feed.close());
    const events = new DashboardEventSink((event) => state.recordEvent(event));
    const metrics = new MetricCounts();
    const backend: LocalBackend = await startLocalBackend({ config, ports, events, metrics });
    cleanups.push(() => backend.stop());

    const browserClient = bundleBrowserClient();
    browserClient.catch(() => undefined); // reported when the device page asks for it

    const devices = new SimulatedDevices((device, hooks) => runDevice!(device, hooks));
    state = new DashboardState({
      feed,
      checkAccount: (accountId) => backend.engine.listSessions(accountId),
      config: () => ({
        strategy: options.strategy,
        limit: options.limit,
        heartbeatIntervalSeconds: options.heartbeatIntervalSeconds,
        leaseSeconds: options.leaseSeconds,
        atLimit: options.atLimit,
        tokenTtlSeconds: options.tokenTtlSeconds,
        maxSessionSeconds: options.maxSessionSeconds,
        failureMode: options.failureMode,
        apiUrl,
      }),
      devices: () => devices.list(),
      initialAccounts: accounts,
    });
    cleanups.push(() => state.stop());
    devices.onChange((list) => state.publishDevices(list));

    const emulatorHttp = new URL(emulator.httpUrl);
    const server = createLocalApiServer({
      api: backend.routes,
      devices,
      feed,
      snapshot: () => state.snapshot(),
      browserClient: () => browserClient,
      topicsApi: { hostname: emulatorHttp.hostname, port: Number(emulatorHttp.port) },
      onAccountSeen: (accountId) => state.noteAccount(accountId),
      rehearsal: {
        limitChanged: (accountId) => tellLimitChanged(backend, ports, config, accountId),
        momentoOutage: (seconds) => emulator.faults.refuseConnections(seconds * 1000),
      },
    });
    const address = await listen(server, options.port, options.host);
    cleanups.push(() => closeServer(server));
    const wildcard = options.host === '0.0.0.0' || options.host === '::';
    const urlHost = (host: string) => (host.includes(':') ? `[${host}]` : host);
    apiUrl = `http://${urlHost(wildcard ? 'localhost' : options.host)}:${address.port}`;
    // The simulated devices call the API as a player's backend would, on an address that is bound.
    const internalApiUrl = `http://${urlHost(wildcard ? (options.host === '::' ? '::1' : '127.0.0.1') : options.host)}:${address.port}`;
    runDevice = createNodeDeviceRunner({ apiUrl: internalApiUrl, momentoLocalEndpoint: emulator.address });
    // Devices stop first (their stop messages need the server, subscriber and emulator).
    cleanups.push(() => devices.stopAll());

    state.start();
    startInitialDevices(devices, accounts, options.devices);

    return {
      apiUrl,
      dashboardUrl: `${apiUrl}/dashboard.html`,
      deviceUrl: `${apiUrl}/device.html`,
      emulatorAddress: emulator.address,
      emulatorHttpUrl: emulator.httpUrl,
      config,
      devices,
      metrics,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * Sends `limit-changed` to every active session of the account, as the backend does when an
 * admission hook gives the account another limit (lambda/core/session-lifecycle.ts `tell`): the
 * same topic and message, without changing the limit. Resolves to the sessions told.
 */
async function tellLimitChanged(
  backend: LocalBackend,
  ports: MomentoPorts,
  config: RuntimeConfig,
  accountId: string,
): Promise<string[]> {
  const { sessions, limit } = await backend.engine.listSessions(accountId);
  const topic = controlTopicName(config.controlTopicPrefix, accountId);
  const reason = `playground: limit ${limit} -> ${limit}`;
  await Promise.all(
    sessions.map((session) =>
      ports.topics.publish(
        topic,
        encodeControlMessage({ v: 1, type: 'limit-changed', sessionId: session.sessionId, reason }),
      ),
    ),
  );
  return sessions.map((session) => session.sessionId);
}

/** Spreads the launch devices over the accounts, a few hundred milliseconds apart, so the chart shows them arrive. */
function startInitialDevices(devices: SimulatedDevices, accounts: readonly string[], count: number): void {
  for (let i = 0; i < count; i++) {
    const timer = setTimeout(() => {
      try {
        devices.start(accounts[i % accounts.length], `sim-${i + 1}`);
      } catch {
        // the playground is stopping
      }
    }, 150 * i);
    timer.unref();
  }
}
