import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { startEmulator, type Emulator } from '../local/emulator';
import { BENCH_CACHE, CAPPED_LIST_SIZE, HEARTBEAT_SECONDS, INTERVAL_MS, LEASE_SECONDS } from './bench-engine';
import type { MeasurementResult } from './bench-results';
import { FULL_SCALE, QUICK_SCALE, type BenchScale } from './bench-scale';
import { measureEmulatorCeiling } from './emulator-ceiling';
import { describeEnvironment } from './machine';
import { measureOperationCost } from './operation-cost';
import { measureOvershoot } from './overshoot';
import { measureAccuracy } from './accuracy';
import { measureFalseExpiry } from './false-expiry';
import { measureReleaseTime } from './release-time';
import { renderCapacity, type CapacityFigures } from './capacity';
import { measureColdStart } from './cold-start';
import { renderReport, renderTables } from './report';
import { measureSynthesis } from './synthesis';
import { measureSubscriberThroughput } from './subscriber-throughput';
import { measureTokenVending } from './token-vending';
import { errorMessage } from '../lambda/core/error-message';

const ROOT = path.resolve(__dirname, '..');

const argsSchema = z.object({
  quick: z.boolean(),
  out: z.string().min(1).optional(),
  only: z.array(z.string().min(1)).optional(),
});

/** `npm run bench [-- --quick] [--out FILE] [--only SECTION ...]` */
function parseArgs(argv: readonly string[]): z.infer<typeof argsSchema> {
  const raw: { quick: boolean; out?: string; only?: string[] } = { quick: false };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (arg === '--quick') raw.quick = true;
    else if (arg === '--out') raw.out = argv[(i += 1)];
    else if (arg === '--only') (raw.only ??= []).push(argv[(i += 1)] ?? '');
    else throw new Error(`unknown option ${arg}; use --quick, --out FILE or --only SECTION`);
  }
  return argsSchema.parse(raw);
}

interface Measurement {
  /** Short name for `--only`. */
  readonly name: string;
  /** Section title, for a failure's line in the report. */
  readonly section: string;
  /** Whether it needs a fresh emulator (each gets its own, so counters and keys never mix). */
  readonly emulator: boolean;
  run(context: { scale: BenchScale; emulator?: Emulator }): Promise<MeasurementResult>;
}

const MEASUREMENTS: readonly Measurement[] = [
  {
    name: 'ceiling',
    section: 'Emulator ceiling',
    emulator: true,
    run: ({ scale, emulator }) => measureEmulatorCeiling(emulator!, scale),
  },
  {
    name: 'overshoot',
    section: 'Overshoot',
    emulator: true,
    run: ({ scale, emulator }) => measureOvershoot(emulator!, scale),
  },
  {
    name: 'release',
    section: 'Release',
    emulator: true,
    run: ({ scale, emulator }) => measureReleaseTime(emulator!, scale),
  },
  {
    name: 'false-expiry',
    section: 'False expiry',
    emulator: true,
    run: ({ scale, emulator }) => measureFalseExpiry(emulator!, scale),
  },
  {
    name: 'accuracy',
    section: 'Accuracy',
    emulator: true,
    run: ({ scale, emulator }) => measureAccuracy(emulator!, scale),
  },
  // Its own emulator, in a process of its own.
  {
    name: 'throughput',
    section: 'Subscriber throughput',
    emulator: false,
    run: ({ scale }) => measureSubscriberThroughput(scale),
  },
  {
    name: 'tokens',
    section: 'Token vending',
    emulator: true,
    run: ({ scale, emulator }) => measureTokenVending(emulator!, scale),
  },
  {
    name: 'cost',
    section: 'Cost per operation',
    emulator: true,
    run: ({ scale, emulator }) => measureOperationCost(emulator!, scale),
  },
  { name: 'cold-start', section: 'Cold start', emulator: false, run: ({ scale }) => measureColdStart(scale) },
  { name: 'synthesis', section: 'Synthesis', emulator: false, run: ({ scale }) => measureSynthesis(scale) },
];

const SETUP = [
  `Time is compressed so that a run takes minutes: devices heartbeat every ${HEARTBEAT_SECONDS} s and a lease lasts ${LEASE_SECONDS} s, the ratio of the defaults ` +
    `(10 s and 30 s). The seed strategies are tuned the same way: the capped list keeps the last ${CAPPED_LIST_SIZE} heartbeats (the engine's default), and the interval ` +
    `dictionaries use ${INTERVAL_MS / 1000} s intervals (the seed heartbeats every 5 s into one-minute dictionaries). Release times scale with these settings.`,
  `Each measurement gets a fresh emulator with one cache (\`${BENCH_CACHE}\`). The emulator, the simulated devices and the engine (as a Lambda runs it) share the ` +
    "benchmark's Node.js process; the subscriber runs where each measurement says. Figures bounded by the emulator are marked against its ceiling.",
  '@gomomento/sdk 1.118.1 puts its request deadline (5 s for topics) on the first `Subscribe` call of a subscription, and a gRPC deadline covers the whole stream: ' +
    "every subscription's first stream therefore ends with DEADLINE_EXCEEDED after 5 s and the SDK resumes it from the last sequence number (the SDK's " +
    '`Deadline Exceeded!` warning in the console). This happens against Momento too, once per subscriber start. Throughput figures are taken after that restart; ' +
    'the other measurements run across it, as a freshly started subscriber would.',
];

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const scale = args.quick ? QUICK_SCALE : FULL_SCALE;
  const command = `npm run bench${args.quick ? ' -- --quick' : ''}`;
  // A partial run (--only) never overwrites the documents of a complete one.
  const defaultOut = args.quick
    ? 'test-output/bench-quick.md'
    : args.only
      ? 'test-output/bench-partial.md'
      : 'docs/benchmarks.md';
  const outFile = path.resolve(ROOT, args.out ?? defaultOut);
  const startedAt = new Date();
  const environment = describeEnvironment();
  const t0 = Date.now();
  const results: MeasurementResult[] = [];
  const failures: { section: string; error: string }[] = [];
  for (const measurement of MEASUREMENTS) {
    if (args.only && !args.only.includes(measurement.name)) continue;
    process.stdout.write(`bench: ${measurement.section} ...`);
    const mt0 = Date.now();
    const emulator = measurement.emulator
      ? await startEmulator({ caches: [BENCH_CACHE], heartbeatIntervalMs: 1000 })
      : undefined;
    try {
      results.push(await measurement.run({ scale, emulator }));
      process.stdout.write(` ${((Date.now() - mt0) / 1000).toFixed(1)} s\n`);
    } catch (error) {
      const message = errorMessage(error);
      failures.push({ section: measurement.section, error: message });
      process.stdout.write(` FAILED: ${message}\n`);
    } finally {
      await emulator?.stop();
    }
  }
  const report = {
    scale: scale.name,
    command,
    startedAt,
    elapsedMs: Date.now() - t0,
    environment,
    loadAverageAtEnd: Math.round(os.loadavg()[0]! * 100) / 100,
    results,
    failures,
    setup: SETUP,
  };
  mkdirSync(path.dirname(outFile), { recursive: true });
  writeFileSync(outFile, renderReport(report));
  // The capacity model is computed from the same run's figures and written beside its report.
  const figures: CapacityFigures = Object.assign({}, ...results.map((r) => r.figures ?? {}));
  const capacityFile =
    args.out || args.quick || args.only
      ? path.join(path.dirname(outFile), `${path.basename(outFile, '.md')}-capacity.md`)
      : path.resolve(ROOT, 'docs/capacity.md');
  writeFileSync(
    capacityFile,
    renderCapacity(figures, {
      command,
      date: startedAt,
      benchmarksPath: path.relative(path.dirname(capacityFile), outFile) || 'benchmarks.md',
    }),
  );
  console.log(
    `\n${renderTables(report)}\n\nbench: report written to ${path.relative(ROOT, outFile)} and ${path.relative(ROOT, capacityFile)} (${((Date.now() - t0) / 1000).toFixed(0)} s)`,
  );
  // Failures make the run fail, so CI notices a benchmark that rotted; figures never do.
  process.exit(failures.length > 0 ? 1 : 0);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
