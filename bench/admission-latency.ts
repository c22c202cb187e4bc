import { randomUUID } from 'node:crypto';
import { createEngine } from '../lambda/core/engine/engine';
import { noMetrics, silentLogger } from '../lambda/core/ports/observability';
import { inProcessSessionKeys } from '../lambda/core/adapters/session-key-secret';
import { vendToken } from '../lambda/core/engine/token-vending';
import type { Emulator } from '../local/emulator';
import { accountIds, startBenchEngine } from './bench-engine';
import type { BenchScale } from './bench-scale';
import type { SystemRow } from './bench-results';
import { callsBetween, describeCallsPer, round, totalCalls } from './call-counts';
import { percentile } from './statistics';

/**
 * Admission as `POST /tokens` runs it (`vendToken`, the account's device token already minted and
 * reused), one after another, beside one Momento `get` timed the same way on the same emulator in
 * the same run: the p50 of each, their ratio, and the Momento calls an admission makes.
 */
export async function measureAdmissionLatency(emulator: Emulator, scale: BenchScale): Promise<SystemRow[]> {
  const admissions = scale.costOperations;
  // Limits go up to 100: the admissions are spread over accounts of at most 50.
  const perAccount = Math.min(50, admissions);
  const bench = startBenchEngine(emulator, 'leases', { DEFAULT_LIMIT: String(perAccount + 1) });
  try {
    const engine = createEngine(bench.config, { cache: bench.ports.cache, topics: bench.ports.topics });
    const deps = {
      config: bench.config,
      engine,
      cache: bench.ports.cache,
      tokens: bench.ports.tokens!,
      sessionKeys: inProcessSessionKeys(bench.config),
      metrics: noMetrics,
      logger: silentLogger,
    };
    const accounts = accountIds(`adm-${randomUUID().slice(0, 8)}`, Math.ceil(admissions / perAccount));
    // The first admission of each account mints its token; the timed ones reuse it.
    for (const accountId of accounts) {
      if ((await vendToken({ accountId, deviceId: 'warm-up' }, deps)).kind !== 'issued')
        throw new Error('admission latency: warm-up refused');
    }
    const gets: number[] = [];
    for (let i = 0; i < admissions; i += 1) {
      const t0 = performance.now();
      await bench.ports.cache.get(`adm-latency-${i}`);
      gets.push(performance.now() - t0);
    }
    const times: number[] = [];
    const before = emulator.stats();
    for (let i = 0; i < admissions; i += 1) {
      const t0 = performance.now();
      const outcome = await vendToken({ accountId: accounts[Math.floor(i / perAccount)]!, deviceId: `d${i}` }, deps);
      times.push(performance.now() - t0);
      if (outcome.kind !== 'issued') throw new Error(`admission latency: admission ${i} was ${outcome.kind}`);
    }
    const calls = callsBetween(before, emulator.stats());
    const p50 = percentile(times, 50);
    const getP50 = percentile(gets, 50);
    const multiple = p50 / getP50;
    const perAdmission = totalCalls(calls) / admissions;
    return [
      {
        measure: 'Admission (POST /tokens, token reused), sequential p50, as a multiple of one Momento get',
        value: `${multiple.toFixed(1)}× (${p50.toFixed(1)} ms vs ${getP50.toFixed(2)} ms)`,
        target: '≤ 3×',
        met: multiple <= 3,
        note: `${admissions} admissions one after another (${accounts.length} account${accounts.length > 1 ? 's' : ''}, tokens already minted) through \`vendToken\`, and as many \`get\`s of absent keys, on this run's emulator.`,
      },
      {
        measure: 'Calls per admission (POST /tokens, token reused)',
        value: `${round(perAdmission)} (${describeCallsPer(calls, admissions)})`,
        target: '≤ 3',
        met: perAdmission <= 3,
      },
    ];
  } finally {
    bench.close();
  }
}
