import { randomUUID } from 'node:crypto';
import type { Emulator } from '../local/emulator';
import { LEASE_SECONDS, startBenchEngine, type BenchEngine } from './bench-engine';
import type { BenchScale } from './bench-scale';
import { forEachStrategy } from './strategy-runs';
import { STRATEGIES, type MeasurementResult, type StrategyName, type StrategyRow } from './bench-results';
import { DeviceFleet, type HeartbeatingDevice } from './device-fleet';
import { startInProcessSubscriber } from './in-process-subscriber';
import { median } from './statistics';
import { sleep, waitFor } from './wait-for';

const LIMIT = 3;
/** How often a waiting newcomer asks to be admitted. */
const RETRY_MS = 50;

type Ending = 'stop' | 'crash';

/** Times until a newcomer got in, ms; `undefined` when it never did within the timeout. */
type Releases = (number | undefined)[];

interface Release {
  /** From the stop or crash. */
  readonly fromEnd: number | undefined;
  /** From the last heartbeat the device sent (the lease runs from it). */
  readonly fromLastHeartbeat: number | undefined;
  /** How long the newcomer's successful admission call took. */
  readonly admissionMs: number | undefined;
}

/**
 * Release after a stop and after a crash: an account holds its limit with heartbeating devices;
 * one stops (stop message) or crashes (silence); a newcomer asks to be admitted every 50 ms. The
 * figure is the time from the stop or crash until the newcomer is admitted.
 */
export async function measureReleaseTime(emulator: Emulator, scale: BenchScale): Promise<MeasurementResult> {
  const started = Date.now();
  const results = await forEachStrategy(scale, (strategy) => releasesOf(emulator, strategy, scale));
  const timeoutS = scale.releaseTimeoutMs / 1000;
  const describe = (times: Releases, pick: 'median' | 'worst'): string => {
    const freed = times.filter((t): t is number => t !== undefined);
    if (freed.length === 0) return `never (> ${timeoutS} s)`;
    if (pick === 'worst' && freed.length < times.length)
      return `never in ${times.length - freed.length}/${times.length} (> ${timeoutS} s)`;
    const value = pick === 'median' ? median(times.map((t) => t ?? Infinity)) : Math.max(...freed);
    return Number.isFinite(value) ? `${(value / 1000).toFixed(2)} s` : `> ${timeoutS} s`;
  };
  const row = (
    ending: Ending | 'crashFromLastHeartbeat',
    pick: 'median' | 'worst',
    targetMs: number | undefined,
    targetText: string | undefined,
    note?: string,
  ): StrategyRow => ({
    measure:
      ending === 'crashFromLastHeartbeat'
        ? `After a crash, ${pick}, from the last heartbeat sent`
        : `After a ${ending}, ${pick}`,
    target: targetText,
    note,
    cells: Object.fromEntries(
      STRATEGIES.map((s) => {
        const times = results[s]![ending];
        const value =
          pick === 'median' ? median(times.map((t) => t ?? Infinity)) : Math.max(...times.map((t) => t ?? Infinity));
        return [
          s,
          {
            value: describe(times, pick),
            ...(s === 'leases' && targetMs !== undefined ? { met: value <= targetMs } : {}),
          },
        ];
      }),
    ),
  });
  const leases = results.leases!;
  const worst = (times: Releases) => Math.max(...times.map((t) => t ?? Infinity));
  return {
    section: 'Release',
    method:
      `Per strategy, ${scale.releaseRepetitions} accounts end a device with a stop message and ${scale.releaseRepetitions} with a crash (silence), side by side; each account ` +
      `holds its limit of ${LIMIT} with devices heartbeating through the real subscriber (in this process, sweeping as deployed) and, once the check shows the account full, ` +
      `one device ends and a newcomer asks for admission every ${RETRY_MS} ms. Waiting stops after ${timeoutS} s.`,
    strategyRows: [
      row('stop', 'median', 1000, 'leases: ≤ 1 s'),
      row(
        'stop',
        'worst',
        1000,
        'leases: ≤ 1 s',
        'The seeds have no release: a stopped device counts until newer heartbeats push it out of the capped list, or until its interval dictionaries are no longer the previous interval.',
      ),
      row('crash', 'median', LEASE_SECONDS * 1000, `leases: ≤ one lease (${LEASE_SECONDS} s)`),
      row(
        'crash',
        'worst',
        LEASE_SECONDS * 1000,
        `leases: ≤ one lease (${LEASE_SECONDS} s)`,
        worst(leases.crash) > LEASE_SECONDS * 1000
          ? `Over by ${Math.round(worst(leases.crash) - LEASE_SECONDS * 1000)} ms: a lease runs for ${LEASE_SECONDS} s from the subscriber's refresh of the last heartbeat, and a device can send that heartbeat just before it crashes; ` +
              `delivery and refresh, the newcomer's ${RETRY_MS} ms retry and its own admission (median ${Math.round(median(leases.admission.filter((t): t is number => t !== undefined)))} ms here) come on top (next row: from the last heartbeat sent).`
          : 'Measured from the crash; the lease runs from the last heartbeat before it.',
      ),
      row(
        'crashFromLastHeartbeat',
        'worst',
        undefined,
        undefined,
        `Includes the newcomer's successful admission call (leases: median ${Math.round(median(leases.admission.filter((t): t is number => t !== undefined)))} ms) and up to ${RETRY_MS} ms of retry wait; the rest beyond the lease is heartbeat delivery and refresh.`,
      ),
    ],
    figures: { leaseStopWorstMs: worst(leases.stop), leaseCrashWorstMs: worst(leases.crash) },
    elapsedMs: Date.now() - started,
  };
}

async function releasesOf(
  emulator: Emulator,
  strategy: StrategyName,
  scale: BenchScale,
): Promise<Record<Ending | 'crashFromLastHeartbeat' | 'admission', Releases>> {
  const bench = startBenchEngine(emulator, strategy, { DEFAULT_LIMIT: String(LIMIT) });
  const fleet = new DeviceFleet(bench.config, bench.ports.tokens!, emulator.address);
  const subscriber = await startInProcessSubscriber(bench);
  const run = randomUUID().slice(0, 8);
  try {
    const trials = (ending: Ending) =>
      Array.from({ length: scale.releaseRepetitions }, (_, rep) =>
        releaseOnce(bench, fleet, `rel-${strategy}-${run}-${ending}-${rep}`, ending, scale.releaseTimeoutMs),
      );
    const [stop, crash] = await Promise.all([Promise.all(trials('stop')), Promise.all(trials('crash'))]);
    return {
      stop: stop.map((r) => r.fromEnd),
      crash: crash.map((r) => r.fromEnd),
      crashFromLastHeartbeat: crash.map((r) => r.fromLastHeartbeat),
      admission: [...stop, ...crash].map((r) => r.admissionMs),
    };
  } finally {
    fleet.close();
    await subscriber.stop();
    bench.close();
  }
}

async function releaseOnce(
  bench: BenchEngine,
  fleet: DeviceFleet,
  accountId: string,
  ending: Ending,
  timeoutMs: number,
): Promise<Release> {
  const devices: HeartbeatingDevice[] = [];
  /** When the device that ends was admitted: its lease runs from there until its first heartbeat. */
  let admittedAt = 0;
  for (let i = 0; i < LIMIT; i += 1) {
    if (i === 0) admittedAt = performance.now();
    const outcome = await bench.engine.admit({ accountId, deviceId: `d${i}` });
    if (outcome.kind !== 'admitted')
      throw new Error(`release: device ${i} of ${accountId} was not admitted (${outcome.kind})`);
    devices.push(fleet.startHeartbeating({ accountId, deviceId: `d${i}`, sessionId: outcome.session.sessionId }));
  }
  // The seed strategies see a device only once its heartbeats are counted: wait until the check shows the account full.
  const full = await waitFor(async () => (await bench.engine.listSessions(accountId)).active >= LIMIT, timeoutMs, 100);
  if (!full) throw new Error(`release: ${accountId} never showed ${LIMIT} active devices`);
  // Let every device heartbeat for a while, and end at a random point of the heartbeat cycle.
  await sleep(1000 + Math.random() * 1000);
  const t0 = performance.now();
  if (ending === 'stop') await devices[0]!.stop();
  else devices[0]!.crash();
  try {
    for (;;) {
      const asked = performance.now();
      const outcome = await bench.engine.admit({ accountId, deviceId: 'newcomer' });
      const now = performance.now();
      if (outcome.kind === 'admitted')
        return {
          fromEnd: now - t0,
          fromLastHeartbeat: now - Math.max(admittedAt, devices[0]!.lastHeartbeatAt || 0),
          admissionMs: now - asked,
        };
      if (outcome.kind !== 'limit-reached') throw new Error(`release: newcomer in ${accountId} got ${outcome.kind}`);
      if (now - t0 > timeoutMs) return { fromEnd: undefined, fromLastHeartbeat: undefined, admissionMs: undefined };
      await sleep(RETRY_MS);
    }
  } finally {
    devices.forEach((device) => device.crash());
  }
}
