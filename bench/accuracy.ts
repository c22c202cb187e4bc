import { randomUUID } from 'node:crypto';
import type { Emulator } from '../local/emulator';
import { accountIds, startBenchEngine } from './bench-engine';
import type { BenchScale } from './bench-scale';
import { forEachStrategy } from './strategy-runs';
import { STRATEGIES, type MeasurementResult, type StrategyName, type StrategyRow } from './bench-results';
import { DeviceFleet, type HeartbeatingDevice } from './device-fleet';
import { startInProcessSubscriber } from './in-process-subscriber';
import { sleep } from './wait-for';

/** A sample counts as settled when no device of the account started or stopped within this long. */
const SETTLE_MS = 1_000;
/** How often the sampler checks one account. */
const SAMPLE_EVERY_MS = 100;

interface Sample {
  readonly error: number;
  readonly settled: boolean;
}

interface Accuracy {
  readonly samples: number;
  readonly exact: number;
  readonly settledSamples: number;
  readonly settledExact: number;
  readonly meanError: number;
  readonly maxError: number;
}

/**
 * Accuracy during churn: devices start (admission, then heartbeats) and stop (stop message) at
 * random on several accounts while a sampler runs the entitlement check; each sample compares
 * the reported count with the devices actually heartbeating, read just before and just after
 * the check (the closer of the two counts, so a change racing the check is not held against it).
 */
export async function measureAccuracy(emulator: Emulator, scale: BenchScale): Promise<MeasurementResult> {
  const started = Date.now();
  const results = await forEachStrategy(scale, (strategy) => accuracyOf(emulator, strategy, scale));
  const pct = (part: number, whole: number) =>
    whole === 0 ? 'no samples' : `${((100 * part) / whole).toFixed(1)} % of ${whole}`;
  const row = (
    measure: string,
    value: (a: Accuracy) => string,
    met?: (a: Accuracy) => boolean,
    target?: string,
    note?: string,
  ): StrategyRow => ({
    measure,
    target,
    note,
    cells: Object.fromEntries(
      STRATEGIES.map((s) => [
        s,
        { value: value(results[s]), ...(met && s === 'leases' ? { met: met(results[s]) } : {}) },
      ]),
    ),
  });
  const leases = results.leases;
  return {
    section: 'Accuracy',
    method:
      `${scale.accuracyAccounts} accounts churn for ${scale.accuracySeconds} s: every 1 to 3 s an account starts a device (up to ${scale.accuracyMaxDevices}) or stops one ` +
      `(at least one stays), under a limit none reaches; devices heartbeat through the real subscriber in this process. A sampler runs the entitlement check on one account ` +
      `every ${SAMPLE_EVERY_MS} ms. "Settled" samples are those with no start or stop in the account during the ${SETTLE_MS / 1000} s before the check: a stop takes a ` +
      'publish and the subscriber to reach the cache, and this row shows whether the count is right once it has.',
    strategyRows: [
      row(
        'Exact samples, settled',
        (a) => pct(a.settledExact, a.settledSamples),
        (a) => a.settledSamples > 0 && a.settledExact === a.settledSamples,
        'leases: 100 %',
      ),
      row(
        'Exact samples, all',
        (a) => pct(a.exact, a.samples),
        undefined,
        undefined,
        leases.exact < leases.samples
          ? `Leases miss only in samples taken while a stop message was on its way to the subscriber (${leases.samples - leases.exact - (leases.settledSamples - leases.settledExact)} of ${leases.samples - leases.exact} misses were unsettled).`
          : undefined,
      ),
      row('Mean / largest count error', (a) => `${a.meanError.toFixed(2)} / ${a.maxError}`),
    ],
    figures: { leaseSettledExact: leases.settledExact, leaseSettledSamples: leases.settledSamples },
    elapsedMs: Date.now() - started,
  };
}

async function accuracyOf(emulator: Emulator, strategy: StrategyName, scale: BenchScale): Promise<Accuracy> {
  const bench = startBenchEngine(emulator, strategy, { DEFAULT_LIMIT: String(scale.accuracyMaxDevices + 4) });
  const fleet = new DeviceFleet(bench.config, bench.ports.tokens!, emulator.address);
  const subscriber = await startInProcessSubscriber(bench);
  const accounts = accountIds(`acc-${strategy}-${randomUUID().slice(0, 8)}`, scale.accuracyAccounts);
  const live = new Map<string, HeartbeatingDevice[]>(accounts.map((a) => [a, []]));
  const lastChange = new Map<string, number>(accounts.map((a) => [a, performance.now()]));
  let stopping = false;
  try {
    const churn = async (accountId: string) => {
      let serial = 0;
      while (!stopping) {
        const devices = live.get(accountId)!;
        if (devices.length < 2 || (devices.length < scale.accuracyMaxDevices && Math.random() < 0.5)) {
          const deviceId = `d${(serial += 1)}`;
          const outcome = await bench.engine.admit({ accountId, deviceId });
          if (outcome.kind !== 'admitted') throw new Error(`accuracy: ${deviceId} of ${accountId} was ${outcome.kind}`);
          devices.push(fleet.startHeartbeating({ accountId, deviceId, sessionId: outcome.session.sessionId }));
        } else {
          const [device] = devices.splice(Math.floor(Math.random() * devices.length), 1);
          await device!.stop();
        }
        lastChange.set(accountId, performance.now());
        await sleep(1_000 + Math.random() * 2_000);
      }
    };
    const samples: Sample[] = [];
    const sampler = async () => {
      let i = 0;
      // Let every account fill up before the first sample.
      await sleep(2_000);
      while (!stopping) {
        const accountId = accounts[(i += 1) % accounts.length]!;
        const before = live.get(accountId)!.length;
        const view = await bench.engine.listSessions(accountId);
        const after = live.get(accountId)!.length;
        const settled = performance.now() - lastChange.get(accountId)! > SETTLE_MS;
        samples.push({ error: Math.min(Math.abs(view.active - before), Math.abs(view.active - after)), settled });
        await sleep(SAMPLE_EVERY_MS);
      }
    };
    const runs = [...accounts.map(churn), sampler()];
    await sleep(2_000 + scale.accuracySeconds * 1000);
    stopping = true;
    await Promise.all(runs);
    const settled = samples.filter((s) => s.settled);
    return {
      samples: samples.length,
      exact: samples.filter((s) => s.error === 0).length,
      settledSamples: settled.length,
      settledExact: settled.filter((s) => s.error === 0).length,
      meanError: samples.reduce((sum, s) => sum + s.error, 0) / Math.max(1, samples.length),
      maxError: Math.max(0, ...samples.map((s) => s.error)),
    };
  } finally {
    stopping = true;
    fleet.close();
    await subscriber.stop();
    bench.close();
  }
}
