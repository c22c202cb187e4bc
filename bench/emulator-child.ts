/**
 * The Momento emulator in a process of its own, forked by `emulator-process.ts`, so that a
 * throughput figure is not bounded by the publishers sharing the emulator's event loop. It
 * answers `stats` (its counters and its own CPU time) over IPC and exits on `stop`.
 */
import { startEmulator } from '../local/emulator';
import type { EmulatorChildReport, EmulatorChildRequest } from './emulator-process';

async function main(): Promise<void> {
  const caches = (process.env.BENCH_EMULATOR_CACHES ?? '').split(',').filter((c) => c !== '');
  const emulator = await startEmulator({
    caches,
    heartbeatIntervalMs: Number(process.env.BENCH_EMULATOR_HEARTBEAT_MS ?? 1000),
  });
  const send = (report: EmulatorChildReport) => process.send?.(report);
  process.on('message', (request: EmulatorChildRequest) => {
    if (request.type === 'stats') {
      const cpu = process.cpuUsage();
      send({ type: 'stats', stats: emulator.stats(), cpuSeconds: (cpu.user + cpu.system) / 1e6 });
    }
    if (request.type === 'stop') void emulator.stop().then(() => process.exit(0));
  });
  send({ type: 'ready', address: emulator.address });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
