import { randomUUID } from 'node:crypto';
import { accountIds, BENCH_CACHE, startBenchEngine, type BenchEngine } from './bench-engine';
import type { BenchScale } from './bench-scale';
import type { MeasurementResult } from './bench-results';
import { DeviceFleet, type FleetDevice } from './device-fleet';
import { startEmulatorProcess, type EmulatorProcess } from './emulator-process';
import { runWithConcurrency } from './run-with-concurrency';
import { median } from './statistics';
import { startSubscriberProcess, type SubscriberProcess } from './subscriber-process';
import { sleep, waitFor } from './wait-for';

const ACCOUNTS = 50;
const DEVICES_PER_ACCOUNT = 4;

interface Throughput {
  /** The highest offered rate the subscriber kept up with. */
  readonly offered: number;
  /** Heartbeats finished per second over that step (catch-up included). */
  readonly perSecond: number;
  readonly sentPerSecond: number;
  /** CPU seconds per 10,000 heartbeats over that step. */
  readonly cpuSeconds: number;
  readonly peakRssBytes: number;
  readonly shed: number;
  readonly failed: number;
  /** What ended the ladder: the subscriber fell behind, the publishers could not offer more, or the ladder's top. */
  readonly limitedBy?: 'subscriber' | 'publishers' | 'ladder';
  /** At the step that ended the ladder: share of one core used by this process (the publishers) and by the subscriber. */
  readonly endStep?: { readonly offered: number; readonly benchCpuShare: number; readonly subscriberCpuShare: number };
  /** Publishes refused at the step that ended the ladder. */
  readonly refusedAt?: { readonly offered: number; readonly refused: number; readonly response: string };
}

/**
 * Subscriber throughput: heartbeats for admitted sessions are offered to one subscriber process
 * at rising rates (a ladder: doubling until it falls behind, then steps of 1.25× from the last
 * rate it kept up with); the figure is the highest rate it keeps up with (finishes within a second
 * of the step's end). The same ladder is offered to a subscriber that only counts items, the
 * ceiling on this emulator in this run; the ratio is the figure. The emulator runs in its own
 * process, the publishers in this one. The whole is repeated and each figure given with its spread.
 */
export async function measureSubscriberThroughput(scale: BenchScale): Promise<MeasurementResult> {
  const started = Date.now();
  const emulator = await startEmulatorProcess([BENCH_CACHE]);
  // Long leases: nothing may expire while the flood is queued.
  const bench = startBenchEngine(emulator, 'leases', {
    DEFAULT_LIMIT: String(DEVICES_PER_ACCOUNT),
    HEARTBEAT_INTERVAL_SECONDS: '60',
    LEASE_SECONDS: '600',
  });
  const fleet = new DeviceFleet(bench.config, bench.ports.tokens!, emulator.address);
  try {
    const devices = await admitDevices(bench);
    const runs: { engine: Throughput; ceiling: Throughput }[] = [];
    for (let r = 0; r < scale.throughputRepetitions; r += 1) {
      const engine = await ladder(
        emulator,
        bench,
        fleet,
        devices,
        'engine',
        scale.throughputStepSeconds,
        scale.waitForStreamRestart,
      );
      const ceiling = await ladder(
        emulator,
        bench,
        fleet,
        devices,
        'do-nothing',
        scale.throughputStepSeconds,
        scale.waitForStreamRestart,
      );
      runs.push({ engine, ceiling });
    }
    const ratios = runs.map((run) => run.engine.offered / run.ceiling.offered);
    const cpuMultiples = runs.map((run) => run.engine.cpuSeconds / Math.max(run.ceiling.cpuSeconds, 1e-9));
    const engine = medianRun(runs.map((run) => run.engine));
    const ceiling = medianRun(runs.map((run) => run.ceiling));
    const ratio = median(ratios);
    const cpuMultiple = median(cpuMultiples);
    const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
    const reps = runs.length;
    const spreadNote = (values: readonly number[], show: (n: number) => string) =>
      reps > 1
        ? `Median of ${reps} repetitions; spread ${show(Math.min(...values))} – ${show(Math.max(...values))} (${values.map(show).join(', ')}).`
        : 'One repetition (no spread).';
    return {
      section: 'Subscriber throughput',
      method:
        `Heartbeats for ${ACCOUNTS * DEVICES_PER_ACCOUNT} admitted lease sessions (${ACCOUNTS} accounts) are offered at ${LADDER_START} per second and up, doubling while the subscriber keeps up, ` +
        `then in steps of ${REFINE_STEP}× from the last rate it kept up with (so a figure is within ${REFINE_STEP}× of the rate where it falls behind), ${scale.throughputStepSeconds} s a step, ` +
        `to the real subscriber (engine, sweep) in its own process, then to a do-nothing subscriber in its own process; a subscriber keeps up with a step when it has ` +
        `finished every heartbeat of it (none waiting or in flight: processed, or replaced by a newer heartbeat of its session while waiting; not merely received) within ${CATCH_UP_MS / 1000} s of its end. ${scale.waitForStreamRestart ? "Both wait for the SDK's restart of their first stream first. " : ''}` +
        `The emulator runs in its own process and the publishers in the benchmark's; ${reps} repetition${reps > 1 ? 's' : ''} of both ladders, each figure the median with its spread.`,
      systemRows: [
        {
          measure: 'Subscriber: heartbeats/s kept up with',
          value: `${fmt(engine.offered)}/s (${fmt(engine.perSecond)}/s finished)`,
          note: `${spreadNote(
            runs.map((run) => run.engine.offered),
            fmt,
          )} Ladder ended by: ${engine.limitedBy}${describeEndStep(engine)}.${engine.shed + engine.failed > 0 ? ` ${engine.shed} shed, ${engine.failed} failed.` : ''}`,
        },
        {
          measure: 'Do-nothing subscriber: heartbeats/s kept up with (ceiling)',
          value: `${fmt(ceiling.offered)}/s (${fmt(ceiling.perSecond)}/s received)`,
          note: `${spreadNote(
            runs.map((run) => run.ceiling.offered),
            fmt,
          )} Ladder ended by: ${ceiling.limitedBy}${describeEndStep(ceiling)}.`,
        },
        {
          measure: 'Subscriber / do-nothing ceiling',
          value: ratio.toFixed(2),
          target: '≥ 0.5 in each repetition',
          met: Math.min(...ratios) >= 0.5,
          note:
            `${spreadNote(ratios, (n) => n.toFixed(2))}` +
            (Math.min(...ratios) < 0.5
              ? ` A heartbeat costs the subscriber ${(engine.cpuSeconds / 10).toFixed(2)} ms of CPU against ${(ceiling.cpuSeconds / 10).toFixed(2)} ms for receiving it alone ` +
                `(${cpuMultiple.toFixed(0)}×, rows below): the do-nothing subscriber only decodes items, the real one parses and checks each and waits on the engine's cache calls, ` +
                `with at most 128 messages in flight. With a whole core to itself that CPU cost allows about ${fmt(10_000 / Math.max(engine.cpuSeconds, 1e-9))}/s. ` +
                'Every process shares two cores with whatever else runs (load average in the header): where the ladder ended, low CPU shares mean the processes waited for a core or for each other.'
              : ''),
        },
        {
          measure: 'Subscriber CPU per heartbeat, as a multiple of the do-nothing subscriber',
          value: `${cpuMultiple.toFixed(1)}×`,
          target: '≤ 8×',
          met: cpuMultiple <= 8,
          note: spreadNote(cpuMultiples, (n) => `${n.toFixed(1)}×`),
        },
        {
          measure: 'Subscriber CPU per 10,000 heartbeats',
          value: `${engine.cpuSeconds.toFixed(2)} s`,
          note: spreadNote(
            runs.map((run) => run.engine.cpuSeconds),
            (n) => `${n.toFixed(2)} s`,
          ),
        },
        {
          measure: 'Do-nothing subscriber CPU per 10,000 heartbeats',
          value: `${ceiling.cpuSeconds.toFixed(2)} s`,
          note: spreadNote(
            runs.map((run) => run.ceiling.cpuSeconds),
            (n) => `${n.toFixed(2)} s`,
          ),
        },
        { measure: 'Subscriber peak memory (RSS)', value: `${(engine.peakRssBytes / 1024 ** 2).toFixed(0)} MiB` },
      ],
      figures: {
        subscriberHeartbeatsPerSecond: engine.offered,
        doNothingHeartbeatsPerSecond: ceiling.offered,
        subscriberCpuSecondsPer10k: engine.cpuSeconds,
        subscriberCpuMultiple: cpuMultiple,
        subscriberCeilingRatioMin: Math.min(...ratios),
        subscriberPeakRssMiB: engine.peakRssBytes / 1024 ** 2,
      },
      elapsedMs: Date.now() - started,
    };
  } finally {
    fleet.close();
    bench.close();
    await emulator.stop();
  }
}

/** The repetition whose offered rate is the median (the lower middle one for an even count). */
function medianRun(runs: readonly Throughput[]): Throughput {
  const sorted = [...runs].sort((a, b) => a.offered - b.offered);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

async function admitDevices(bench: BenchEngine): Promise<FleetDevice[]> {
  const accounts = accountIds(`tp-${randomUUID().slice(0, 8)}`, ACCOUNTS);
  const devices: FleetDevice[] = [];
  await runWithConcurrency(ACCOUNTS * DEVICES_PER_ACCOUNT, 16, async (i) => {
    const request = { accountId: accounts[i % ACCOUNTS]!, deviceId: `d${Math.floor(i / ACCOUNTS)}` };
    const outcome = await bench.engine.admit(request);
    if (outcome.kind !== 'admitted')
      throw new Error(`throughput: ${request.deviceId} of ${request.accountId} was ${outcome.kind}`);
    devices.push({ ...request, sessionId: outcome.session.sessionId });
  });
  return devices;
}

function describeEndStep(t: Throughput): string {
  if (t.refusedAt)
    return ` at ${t.refusedAt.offered.toLocaleString('en-US')}/s: ${t.refusedAt.refused} publishes refused (${t.refusedAt.response.slice(0, 160)})`;
  if (!t.endStep) return '';
  const pct = (share: number) => `${Math.round(share * 100)} %`;
  return ` at ${t.endStep.offered.toLocaleString('en-US')}/s (CPU of one core: publishers ${pct(t.endStep.benchCpuShare)}, subscriber ${pct(t.endStep.subscriberCpuShare)})`;
}

/** The ladder's first rate, heartbeats per second; it doubles while the subscriber keeps up. */
const LADDER_START = 100;
/** The ladder's highest rate. */
const LADDER_TOP = 12_800;
/** Once a doubling fails, the rates between the last kept-up one and it go up by this factor. */
const REFINE_STEP = 1.25;
/** After a step, how long the subscriber may take to finish what it was sent. */
const CATCH_UP_MS = 1_000;

/** The rate after `rate`: double until the first failure, then 1.25× below the failed rate. */
export function nextRate(rate: number, failedAt: number | undefined): number | undefined {
  if (failedAt === undefined) return rate * 2 <= LADDER_TOP ? rate * 2 : undefined;
  const next = Math.floor(rate * REFINE_STEP);
  return next < failedAt ? next : undefined;
}

async function ladder(
  emulator: EmulatorProcess,
  bench: BenchEngine,
  fleet: DeviceFleet,
  devices: readonly FleetDevice[],
  mode: 'engine' | 'do-nothing',
  stepSeconds: number,
  waitForRestart: boolean,
): Promise<Throughput> {
  const subscribes = async () => (await emulator.stats()).stats.calls.Subscribe ?? 0;
  const subscribesBefore = await subscribes();
  const child: SubscriberProcess = await startSubscriberProcess(mode, bench.env);
  try {
    // Its first Subscribe, then the SDK's restart of that stream after 5 s (see the report's setup).
    if (waitForRestart) await waitFor(async () => (await subscribes()) >= subscribesBefore + 2, 8_000, 50);
    let next = 0;
    const publishOne = async () => {
      const device = devices[next % devices.length]!;
      next += 1;
      await fleet.heartbeat(device);
    };
    // One heartbeat per device first: every publisher has its token, every record is memoised.
    const refusedBefore = fleet.refusals;
    await runWithConcurrency(devices.length, 16, publishOne);
    if (fleet.refusals > refusedBefore) throw new Error(`throughput: warm-up publish refused: ${fleet.lastRefusal}`);
    if (!(await waitFor(async () => (await child.stats()).processed >= devices.length, 30_000, 100)))
      throw new Error(`throughput: the ${mode} subscriber missed the warm-up`);

    let best: Throughput | undefined;
    let failed:
      | { step: Throughput; limitedBy: 'subscriber' | 'publishers'; endStep: NonNullable<Throughput['endStep']> }
      | undefined;
    for (let rate: number | undefined = LADDER_START; rate !== undefined; rate = nextRate(rate, failed?.step.offered)) {
      const before = await child.stats();
      const cpuBefore = process.cpuUsage();
      const refusals = fleet.refusals;
      const published = await publishAtRate(rate, stepSeconds, publishOne);
      const refused = fleet.refusals - refusals;
      const sent = published - refused;
      const t0 = performance.now() - stepSeconds * 1000;
      let after = before;
      const keptUp = await waitFor(
        async () => {
          after = await child.stats();
          return after.processed - before.processed >= sent;
        },
        CATCH_UP_MS,
        20,
      );
      const seconds = (performance.now() - t0) / 1000;
      const done = after.processed - before.processed;
      const step: Throughput = {
        offered: rate,
        perSecond: done / seconds,
        cpuSeconds: ((after.cpuSeconds - before.cpuSeconds) * 10_000) / Math.max(1, done),
        peakRssBytes: after.maxRssBytes,
        shed: after.shed,
        failed: after.failed,
        sentPerSecond: sent / stepSeconds,
      };
      if (refused > 0) {
        // The emulator (or the publishers' SDK) refused publishes: the figure above this is not the subscriber's.
        return {
          ...(best ?? step),
          limitedBy: 'publishers',
          refusedAt: { offered: rate, refused, response: fleet.lastRefusal ?? '' },
        };
      }
      if (!keptUp || step.sentPerSecond < rate * 0.9) {
        // Behind, or the publishers themselves could not offer the rate: refine below it.
        const cpu = process.cpuUsage(cpuBefore);
        const endStep = {
          offered: rate,
          benchCpuShare: (cpu.user + cpu.system) / 1e6 / seconds,
          subscriberCpuShare: (after.cpuSeconds - before.cpuSeconds) / seconds,
        };
        if (!failed || rate < failed.step.offered)
          failed = { step, limitedBy: keptUp ? 'publishers' : 'subscriber', endStep };
        if (!best) break;
        // Refining continues from the last rate kept up with.
        rate = best.offered;
        continue;
      }
      best = step;
    }
    if (!best) return { ...failed!.step, limitedBy: failed!.limitedBy, endStep: failed!.endStep };
    return failed
      ? { ...best, limitedBy: failed.limitedBy, endStep: failed.endStep }
      : { ...best, limitedBy: 'ladder' };
  } finally {
    await child.stop();
  }
}

/** Publishes at `rate` per second for `seconds` in 50 ms ticks; resolves how many were sent. */
async function publishAtRate(rate: number, seconds: number, publishOne: () => Promise<void>): Promise<number> {
  const tickMs = 50;
  const ticks = Math.round((seconds * 1000) / tickMs);
  const perTick = (rate * tickMs) / 1000;
  const inFlight: Promise<void>[] = [];
  let owed = 0;
  let sent = 0;
  const t0 = performance.now();
  for (let tick = 0; tick < ticks; tick += 1) {
    owed += perTick;
    while (owed >= 1) {
      owed -= 1;
      sent += 1;
      inFlight.push(publishOne());
    }
    const wait = t0 + (tick + 1) * tickMs - performance.now();
    if (wait > 0) await sleep(wait);
  }
  await Promise.all(inFlight);
  return sent;
}
