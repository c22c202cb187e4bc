import { cacheKeys } from './cache-keys';
import type { HeldPlace } from './counting-strategy';
import type { CachePort } from './ports/momento-ports';
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
    const [limit, ceiling] = ((await this.cache.get(cacheKeys.scopeLimit(scope.key))) ?? '').split(' ').map(Number);
    if (!Number.isInteger(limit) || limit! <= 0) return undefined;
    return { limit: limit!, ceiling: Number.isInteger(ceiling) && ceiling! > limit! ? ceiling! : limit! };
  }

  /** Records the limit; the ceiling stays up while devices still sit in slots above it. */
  async store(scope: ScopeRef, limit: number, places: readonly HeldPlace[]): Promise<void> {
    const highest = places.reduce((max, place) => Math.max(max, (place.slot ?? -1) + 1), 0);
    await this.cache.set(cacheKeys.scopeLimit(scope.key), `${limit} ${Math.max(limit, highest)}`, this.ttlSeconds);
  }
}
