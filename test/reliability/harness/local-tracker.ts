import { parseRuntimeConfig, type RuntimeConfig } from '../../../lambda/core/runtime/config';
import { createEngine } from '../../../lambda/core/engine/engine';
import type { ConcurrencyEngine } from '../../../lambda/core/engine/engine-types';
import { RecordingEventSink } from '../../lambda/core/support/recording-event-sink';
import type { MomentoPorts } from '../../../lambda/core/ports/momento-ports';
import { createMomentoPorts } from '../../../lambda/core/adapters/momento-clients';
import { CountingMetrics } from '../../lambda/core/support/counting-metrics';
import { processSessionKeySecret } from '../../../lambda/core/messages/session-key';
import { startEmulator, type Emulator } from '../../../local/emulator';

export const CACHE_NAME = 'reliability';

/** The engine over the real SDK against a fresh emulator, with its events and metrics recorded. */
export interface LocalTracker {
  readonly emulator: Emulator;
  readonly config: RuntimeConfig;
  readonly ports: MomentoPorts;
  readonly engine: ConcurrencyEngine;
  readonly events: RecordingEventSink;
  readonly metrics: CountingMetrics;
  /** The runtime environment, for building more processes (a second subscriber, a handler) on the same emulator. */
  readonly env: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

/** Environment of a local run: short heartbeats and leases so the suite runs in seconds. */
export function localEnvironment(emulator: Emulator, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    CACHE_NAME,
    MOMENTO_LOCAL_ENDPOINT: emulator.address,
    HEARTBEAT_INTERVAL_SECONDS: '1',
    LEASE_SECONDS: '6',
    DEFAULT_LIMIT: '3',
    ACCOUNT_SOURCE: 'iam',
    HEALTH_PORT: '0',
    MOMENTO_TIMEOUT_MS: '2000',
    // Explicit, so a subscriber in a child process checks the session keys this process grants.
    SESSION_KEY_SECRET: processSessionKeySecret(),
    ...overrides,
  };
}

/**
 * `configOverrides` replaces parsed settings beyond what the environment may say (the load test
 * lifts the Momento deadline, which would otherwise time this machine rather than the engine).
 */
export async function startLocalTracker(
  overrides: Record<string, string> = {},
  configOverrides: Partial<RuntimeConfig> = {},
): Promise<LocalTracker> {
  const emulator = await startEmulator({ port: 0, caches: [CACHE_NAME], heartbeatIntervalMs: 1000 });
  const env = localEnvironment(emulator, overrides);
  const config: RuntimeConfig = { ...parseRuntimeConfig(env), ...configOverrides };
  const ports = createMomentoPorts(config);
  const events = new RecordingEventSink();
  const metrics = new CountingMetrics();
  const engine = createEngine(config, { cache: ports.cache, topics: ports.topics, events, metrics });
  return {
    emulator,
    config,
    ports,
    engine,
    events,
    metrics,
    env,
    stop: async () => {
      ports.close();
      await emulator.stop();
    },
  };
}
