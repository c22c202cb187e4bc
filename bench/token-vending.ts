import { randomUUID } from 'node:crypto';
import { cacheKeys } from '../lambda/core/engine/cache-keys';
import type { CachePort } from '../lambda/core/ports/momento-ports';
import { noMetrics, silentLogger } from '../lambda/core/ports/observability';
import { inProcessSessionKeys } from '../lambda/core/adapters/session-key-secret';
import { vendToken } from '../lambda/core/engine/token-vending';
import { createEngine } from '../lambda/core/engine/engine';
import type { Emulator } from '../local/emulator';
import { accountIds, startBenchEngine } from './bench-engine';
import type { BenchScale } from './bench-scale';
import type { MeasurementResult } from './bench-results';
import { callsBetween } from './call-counts';
import { runWithConcurrency } from './run-with-concurrency';

const MINT_METHOD = 'GenerateDisposableToken';
const TOKEN_TTL_SECONDS = 3600;

/**
 * Token vending: calls to Momento's auth service per 1,000 admissions (`vendToken`, the core of
 * POST /tokens) with token reuse on, as deployed, and off (every admission mints, as the seeds
 * do). Reuse is switched off by hiding the cached token from the token-vending code.
 */
export async function measureTokenVending(emulator: Emulator, scale: BenchScale): Promise<MeasurementResult> {
  const started = Date.now();
  const on = await mintsPerThousand(emulator, scale, true);
  const off = await mintsPerThousand(emulator, scale, false);
  const perAccountLimit = (scale.tokenAccounts * 1000) / scale.tokenAdmissions;
  return {
    section: 'Token vending',
    method:
      `${scale.tokenAdmissions.toLocaleString('en-US')} admissions through \`vendToken\` over ${scale.tokenAccounts} accounts (16 at a time, token lifetime ${TOKEN_TTL_SECONDS / 3600} h, all within one lifetime), ` +
      `counting ${MINT_METHOD} calls at the emulator; per 1,000 admissions. With ${scale.tokenAccounts} accounts, one call per account per lifetime is ${perAccountLimit} per 1,000.`,
    systemRows: [
      {
        measure: 'Token vending: auth calls per 1,000 admissions, reuse on',
        value: String(on.perThousand),
        target: `≤ 1 per account per token lifetime (${perAccountLimit})`,
        met: on.mints <= scale.tokenAccounts,
        note:
          on.mints <= scale.tokenAccounts
            ? undefined
            : on.cacheFailures > 0
              ? `Token reuse did not happen: caching the minted token failed ${on.cacheFailures} times (token vending logged "device token not cached": ${on.firstCacheError}), so every admission minted.`
              : 'Simultaneous first admissions of one account each find no cached token and each mint one.',
      },
      { measure: 'Token vending: auth calls per 1,000 admissions, reuse off', value: String(off.perThousand) },
    ],
    figures: { authCallsPerThousandReuseOn: on.perThousand, authCallsPerThousandReuseOff: off.perThousand },
    elapsedMs: Date.now() - started,
  };
}

interface MintCount {
  readonly mints: number;
  readonly perThousand: number;
  /** Warnings of token vending that a minted token could not be cached, and the first one's error. */
  readonly cacheFailures: number;
  readonly firstCacheError?: string;
}

async function mintsPerThousand(emulator: Emulator, scale: BenchScale, reuse: boolean): Promise<MintCount> {
  const perAccount = Math.ceil(scale.tokenAdmissions / scale.tokenAccounts);
  const bench = startBenchEngine(emulator, 'leases', {
    DEFAULT_LIMIT: String(perAccount),
    TOKEN_TTL_SECONDS: String(TOKEN_TTL_SECONDS),
  });
  try {
    const cache = reuse ? bench.ports.cache : withoutCachedTokens(bench.ports.cache);
    const engine = createEngine(bench.config, { cache, topics: bench.ports.topics });
    let cacheFailures = 0;
    let firstCacheError: string | undefined;
    const logger = {
      ...silentLogger,
      warn: (message: string, fields?: Record<string, unknown>) => {
        if (message !== 'device token not cached') return;
        cacheFailures += 1;
        firstCacheError ??= String(fields?.error);
      },
    };
    const deps = {
      config: bench.config,
      engine,
      cache,
      tokens: bench.ports.tokens!,
      sessionKeys: inProcessSessionKeys(bench.config),
      metrics: noMetrics,
      logger,
    };
    const accounts = accountIds(`tok-${reuse ? 'on' : 'off'}-${randomUUID().slice(0, 8)}`, scale.tokenAccounts);
    const before = emulator.stats();
    await runWithConcurrency(scale.tokenAdmissions, 16, async (i) => {
      const outcome = await vendToken(
        { accountId: accounts[i % accounts.length]!, deviceId: `d${Math.floor(i / accounts.length)}` },
        deps,
      );
      if (outcome.kind !== 'issued') throw new Error(`token vending: admission ${i} was ${outcome.kind}`);
    });
    const mints = callsBetween(before, emulator.stats())[MINT_METHOD] ?? 0;
    return { mints, perThousand: Math.round((mints * 1000) / scale.tokenAdmissions), cacheFailures, firstCacheError };
  } finally {
    bench.close();
  }
}

/** The cache as token vending sees it with reuse off: device tokens are never found. */
function withoutCachedTokens(cache: CachePort): CachePort {
  const tokenKeyPrefix = cacheKeys.deviceToken('');
  return new Proxy(cache, {
    get(target, property, receiver) {
      if (property === 'get')
        return (key: string) => (key.startsWith(tokenKeyPrefix) ? Promise.resolve(undefined) : target.get(key));
      if (property === 'getBatch') {
        return async (keys: readonly string[]) =>
          (await target.getBatch(keys)).map((value, i) => (keys[i]!.startsWith(tokenKeyPrefix) ? undefined : value));
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
