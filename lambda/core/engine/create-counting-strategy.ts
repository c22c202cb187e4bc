import type { CountingStrategyName } from '../runtime/config';
import { CappedListStrategy } from './capped-list-strategy';
import type { CountingStrategy } from './counting-strategy';
import { IntervalDictionaryStrategy } from './interval-dictionary-strategy';
import { LeaseStrategy } from './lease-strategy';
import type { CachePort } from '../ports/momento-ports';

/** Tuning of the seed strategies (not part of the environment contract: benchmarks set them). */
export interface StrategyOptions {
  readonly leaseSeconds: number;
  /** Capped list: how many recent heartbeats it keeps (N). Default 20. */
  readonly cappedListSize?: number;
  /** Capped list: TTL of the list. Default one hour. */
  readonly cappedListTtlSeconds?: number;
  /** Interval dictionaries: interval length. Default one minute, as in the seed. */
  readonly intervalMs?: number;
  readonly now?: () => number;
}

export function createCountingStrategy(
  name: CountingStrategyName,
  cache: CachePort,
  options: StrategyOptions,
): CountingStrategy {
  switch (name) {
    case 'leases':
      return new LeaseStrategy(cache, options.leaseSeconds);
    case 'capped-list':
      return new CappedListStrategy(
        cache,
        options.cappedListSize ?? 20,
        options.cappedListTtlSeconds ?? 3600,
        options.now,
      );
    case 'interval-dictionary':
      return new IntervalDictionaryStrategy(cache, options.intervalMs ?? 60_000, options.now);
  }
}
