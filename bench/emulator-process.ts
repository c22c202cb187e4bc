import { fork } from 'node:child_process';
import path from 'node:path';
import type { EmulatorStats } from '../local/emulator';

export type EmulatorChildRequest = { readonly type: 'stats' } | { readonly type: 'stop' };
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
  const child = fork(path.join(__dirname, 'emulator-child.ts'), [], {
    env: {
      ...process.env,
      BENCH_EMULATOR_CACHES: caches.join(','),
      BENCH_EMULATOR_HEARTBEAT_MS: String(heartbeatIntervalMs),
    },
    execArgv: ['-r', 'ts-node/register/transpile-only'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waiting: ((report: { stats: EmulatorStats; cpuSeconds: number }) => void)[] = [];
  const address = await new Promise<string>((resolve, reject) => {
    child.on('message', (report: EmulatorChildReport) => {
      if (report.type === 'ready') resolve(report.address);
      if (report.type === 'stats') waiting.shift()?.({ stats: report.stats, cpuSeconds: report.cpuSeconds });
    });
    void exited.then((code) => reject(new Error(`the emulator process exited with ${code} before it was ready`)));
  });
  return {
    address,
    stats: () =>
      new Promise((resolve) => {
        waiting.push(resolve);
        child.send({ type: 'stats' } satisfies EmulatorChildRequest);
      }),
    stop: async () => {
      if (child.exitCode !== null) return;
      child.send({ type: 'stop' } satisfies EmulatorChildRequest);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
