import path from 'node:path';
import type { EmulatorStats } from '../local/emulator';
import { forkChild, type ForkedChildRequest } from './forked-child';

export type EmulatorChildRequest = ForkedChildRequest;
export type EmulatorChildReport =
  | { readonly type: 'ready'; readonly address: string }
  | { readonly type: 'stats'; readonly stats: EmulatorStats; readonly cpuSeconds: number };

/** The emulator running in its own Node.js process (see `emulator-child.ts`). */
export interface EmulatorProcess {
  /** `host:port` of its gRPC server. */
  readonly address: string;
  /** Its counters and the CPU time its process has used. */
  stats(): Promise<{ stats: EmulatorStats; cpuSeconds: number }>;
  stop(): Promise<void>;
}

export async function startEmulatorProcess(
  caches: readonly string[],
  heartbeatIntervalMs = 1000,
): Promise<EmulatorProcess> {
  const child = await forkChild<EmulatorChildReport, string, { stats: EmulatorStats; cpuSeconds: number }>(
    path.join(__dirname, 'emulator-child.ts'),
    {
      ...process.env,
      BENCH_EMULATOR_CACHES: caches.join(','),
      BENCH_EMULATOR_HEARTBEAT_MS: String(heartbeatIntervalMs),
    },
    {
      name: 'the emulator process',
      stopGraceMs: 10_000,
      ready: (report) => report.address,
      stats: (report) => ({ stats: report.stats, cpuSeconds: report.cpuSeconds }),
    },
  );
  return { address: child.ready, stats: child.stats, stop: child.stop };
}
