import { randomUUID } from 'node:crypto';
import type { Emulator } from '../local/emulator';
import { startBenchEngine, type BenchEngine } from './bench-engine';
import type { BenchScale } from './bench-scale';
import { STRATEGIES, type MeasurementResult, type StrategyName } from './bench-results';

/** Admissions are spread over this many engines, each with its own SDK clients, as over Lambda containers. */
const CONTAINERS = 5;

interface Overshoot {
  readonly maxAbove: number;
  readonly repetitionsOver: number;
  readonly admittedTotal: number;
}

/**
 * Overshoot: simultaneous admissions for one account with a small limit, repeated on fresh
 * accounts: the most devices admitted above the limit, and in how many repetitions.
 */
export async function measureOvershoot(emulator: Emulator, scale: BenchScale): Promise<MeasurementResult> {
  const started = Date.now();
  const results: Partial<Record<StrategyName, Overshoot>> = {};
  for (const strategy of STRATEGIES) results[strategy] = await overshootOf(emulator, strategy, scale);
  const reps = scale.overshootRepetitions;
  return {
    section: 'Overshoot',
    method:
      `${scale.overshootAdmissions} admissions started at once for one account with limit ${scale.overshootLimit}, spread over ${CONTAINERS} engines with their own SDK clients ` +
      `(as ${CONTAINERS} Lambda containers), repeated ${reps} times on fresh accounts.`,
    strategyRows: [
      {
        measure: 'Most admitted above the limit',
        target: 'leases: 0',
        cells: Object.fromEntries(
          STRATEGIES.map((s) => [
            s,
            { value: String(results[s]!.maxAbove), ...(s === 'leases' ? { met: results[s]!.maxAbove === 0 } : {}) },
          ]),
        ),
      },
      {
        measure: 'Repetitions with overshoot',
        target: 'leases: 0',
        note: 'The seed strategies check, then write: every admission that reads the count before another writes is let in.',
        cells: Object.fromEntries(
          STRATEGIES.map((s) => [
            s,
            {
              value: `${results[s]!.repetitionsOver}/${reps}`,
              ...(s === 'leases' ? { met: results[s]!.repetitionsOver === 0 } : {}),
            },
          ]),
        ),
      },
    ],
    figures: { leaseMaxAbove: results.leases!.maxAbove },
    elapsedMs: Date.now() - started,
  };
}

async function overshootOf(emulator: Emulator, strategy: StrategyName, scale: BenchScale): Promise<Overshoot> {
  const engines: BenchEngine[] = Array.from({ length: CONTAINERS }, () =>
    startBenchEngine(emulator, strategy, { DEFAULT_LIMIT: String(scale.overshootLimit) }),
  );
  try {
    let maxAbove = 0;
    let repetitionsOver = 0;
    let admittedTotal = 0;
    const run = randomUUID().slice(0, 8);
    for (let rep = 0; rep < scale.overshootRepetitions; rep += 1) {
      const accountId = `over-${strategy}-${run}-${rep}`;
      const outcomes = await Promise.all(
        Array.from({ length: scale.overshootAdmissions }, (_, i) =>
          engines[i % CONTAINERS]!.engine.admit({ accountId, deviceId: `d${i}` }),
        ),
      );
      const failed = outcomes.filter((o) => o.kind !== 'admitted' && o.kind !== 'limit-reached');
      if (failed.length > 0) throw new Error(`overshoot: ${failed.length} admissions ended ${failed[0]!.kind}`);
      const admitted = outcomes.filter((o) => o.kind === 'admitted').length;
      admittedTotal += admitted;
      const above = Math.max(0, admitted - scale.overshootLimit);
      maxAbove = Math.max(maxAbove, above);
      if (above > 0) repetitionsOver += 1;
    }
    return { maxAbove, repetitionsOver, admittedTotal };
  } finally {
    engines.forEach((e) => e.close());
  }
}
