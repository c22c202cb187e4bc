import { cacheKeys } from './cache-keys';
import type { HeldPlace } from './counting-strategy';
import type { CacheItem, CachePort } from '../ports/momento-ports';
import type { ScopeRef } from './scope';

/** A scope's limit as the admission hook last set it, and its ceiling of slots still in use. */
export interface ScopeLimit {
  readonly limit: number;
  /** The most slots devices may still hold (higher than `limit` after a lowered limit). */
  readonly ceiling: number;
}

/**
 * Per-scope limits, kept only when an admission hook sets limits per request (`<limit> <ceiling>`
 * at `ct1:limit:<scope>`): the entitlement check reports the hook's limit, and admissions read
 * and count every slot up to the ceiling.
 */
export class ScopeLimits {
  constructor(
    private readonly cache: CachePort,
    private readonly ttlSeconds: number,
  ) {}

  async read(scope: ScopeRef): Promise<ScopeLimit | undefined> {
    return parseScopeLimit(await this.cache.get(cacheKeys.scopeLimit(scope.key)));
  }

  /** Records the limit; the ceiling stays up while devices still sit in slots above it. */
  async store(scope: ScopeRef, limit: number, places: readonly HeldPlace[]): Promise<void> {
    const item = this.item(scope, limit, places);
    await this.cache.set(item.key, item.value, item.ttlSeconds);
  }

  /** {@link store} as a cache item, for a caller that writes it in a batch with other items. */
  item(scope: ScopeRef, limit: number, places: readonly HeldPlace[]): CacheItem {
    const highest = places.reduce((max, place) => Math.max(max, (place.slot ?? -1) + 1), 0);
    return {
      key: cacheKeys.scopeLimit(scope.key),
      value: `${limit} ${Math.max(limit, highest)}`,
      ttlSeconds: this.ttlSeconds,
    };
  }
}

/** A scope's limit record as read from the cache; undefined when absent or unreadable. */
export function parseScopeLimit(value: string | undefined): ScopeLimit | undefined {
  const [limit, ceiling] = (value ?? '').split(' ').map(Number);
  if (!Number.isInteger(limit) || limit! <= 0) return undefined;
  return { limit: limit!, ceiling: Number.isInteger(ceiling) && ceiling! > limit! ? ceiling! : limit! };
}
