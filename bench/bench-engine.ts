import { parseRuntimeConfig, type RuntimeConfig } from '../lambda/core/runtime/config';
import { createEngine } from '../lambda/core/engine/engine';
import type { ConcurrencyEngine } from '../lambda/core/engine/engine-types';
import type { MomentoPorts } from '../lambda/core/ports/momento-ports';
import { createMomentoPorts } from '../lambda/core/adapters/momento-clients';
import { processSessionKeySecret } from '../lambda/core/messages/session-key';
import { RecordingEventSink } from '../test/lambda/core/support/recording-event-sink';
import type { Emulator } from '../local/emulator';
import type { StrategyName } from './bench-results';

/** The cache every benchmark works in. */
export const BENCH_CACHE = 'bench';
/**
 * Time is compressed for the benchmark: heartbeats every second and a three-second lease keep
 * the default ratio (10 s heartbeats, 30 s lease) while a run takes minutes, not hours.
 */
export const HEARTBEAT_SECONDS = 1;
export const LEASE_SECONDS = 3;
/** The interval dictionaries' interval, compressed like the heartbeat (the seed: 5 s heartbeats, 60 s intervals). */
export const INTERVAL_MS = 4_000;
/** The capped list's N (the engine's default). */
export const CAPPED_LIST_SIZE = 20;

/** Runtime environment of an engine under benchmark on the emulator. */
export function benchEnvironment(
  emulator: Pick<Emulator, 'address'>,
  strategy: StrategyName,
  overrides: Record<string, string> = {},
): Record<string, string> {
  return {
    CACHE_NAME: BENCH_CACHE,
    MOMENTO_LOCAL_ENDPOINT: emulator.address,
    HEARTBEAT_INTERVAL_SECONDS: String(HEARTBEAT_SECONDS),
    LEASE_SECONDS: String(LEASE_SECONDS),
    DEFAULT_LIMIT: '3',
    COUNTING_STRATEGY: strategy,
    // A topic per strategy, so strategies measured side by side never see each other's heartbeats.
    HEARTBEAT_TOPIC: `heartbeat-${strategy}`,
    ACCOUNT_SOURCE: 'iam',
    HEALTH_PORT: '0',
    MOMENTO_TIMEOUT_MS: '10000',
    // Explicit, so a subscriber in a child process checks the keys the fleet derives here.
    SESSION_KEY_SECRET: processSessionKeySecret(),
    // Read by bench/subscriber-child.ts only: the seed strategies' tuning, as startBenchEngine sets it.
    BENCH_INTERVAL_MS: String(INTERVAL_MS),
    BENCH_CAPPED_LIST_SIZE: String(CAPPED_LIST_SIZE),
    ...overrides,
  };
}

/** The engine over the real SDK against the emulator, as a Lambda or the subscriber runs it. */
export interface BenchEngine {
  readonly config: RuntimeConfig;
  readonly env: Readonly<Record<string, string>>;
  readonly ports: MomentoPorts;
  readonly engine: ConcurrencyEngine;
  readonly events: RecordingEventSink;
  close(): void;
}

export function startBenchEngine(
  emulator: Pick<Emulator, 'address'>,
  strategy: StrategyName,
  overrides: Record<string, string> = {},
  intervalMs = INTERVAL_MS,
): BenchEngine {
  const env = benchEnvironment(emulator, strategy, { BENCH_INTERVAL_MS: String(intervalMs), ...overrides });
  const config = parseRuntimeConfig(env);
  const ports = createMomentoPorts(config);
  const events = new RecordingEventSink();
  const engine = createEngine(config, {
    cache: ports.cache,
    topics: ports.topics,
    events,
    strategyOptions: { cappedListSize: CAPPED_LIST_SIZE, intervalMs },
    // As the heartbeat subscriber runs it (admissions still write at once, as in a Lambda).
    deadlineIndexBatch: {},
  });
  return { config, env, ports, engine, events, close: () => ports.close() };
}

/** Account ids unique to one measurement, so measurements sharing an emulator never meet. */
export function accountIds(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
}
