import { Keyspace } from './keyspace';
import { cacheAlreadyExists, cacheNotFound } from './momento-errors';

export interface CacheStoreOptions {
  /** Clock in epoch milliseconds; tests inject a fake one. @default Date.now */
  readonly now?: () => number;
  /** How often expired items are swept out, in ms. @default 1000 */
  readonly sweepIntervalMs?: number;
}

/**
 * The emulator's caches and their items, in memory. Every method runs synchronously, so each rpc
 * that uses it completes on the event loop without interleaving with another: that is what makes
 * conditional writes (setIfAbsent and friends) atomic here.
 */
export class CacheStore {
  private readonly caches = new Map<string, Keyspace>();
  private readonly now: () => number;
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(options?: CacheStoreOptions) {
    this.now = options?.now ?? Date.now;
    // Assumption: the real service's eviction timing is unknown; the emulator sweeps once a second
    // and reads never see an expired item. The timer is unref()ed so it never holds a process open.
    this.sweepTimer = setInterval(() => this.sweep(), options?.sweepIntervalMs ?? 1000);
    this.sweepTimer.unref();
  }

  hasCache(name: string): boolean {
    return this.caches.has(name);
  }

  /** Throws ALREADY_EXISTS when the cache exists, as Momento's CreateCache does. */
  createCache(name: string): void {
    if (this.caches.has(name)) throw cacheAlreadyExists(name);
    this.caches.set(name, new Keyspace(this.now));
  }

  /** Like createCache, but a no-op for an existing cache (for seeding the emulator). */
  ensureCache(name: string): void {
    if (!this.caches.has(name)) this.caches.set(name, new Keyspace(this.now));
  }

  /** Throws NOT_FOUND when the cache does not exist. */
  deleteCache(name: string): void {
    if (!this.caches.delete(name)) throw cacheNotFound(name);
  }

  listCaches(): string[] {
    return [...this.caches.keys()].sort();
  }

  /** Removes every item of a cache; throws NOT_FOUND when the cache does not exist. */
  flushCache(name: string): void {
    this.cache(name).clear();
  }

  /** The items of a cache; throws NOT_FOUND (CacheNotFoundError in the SDK) when it is missing. */
  cache(name: string): Keyspace {
    const keyspace = this.caches.get(name);
    if (keyspace === undefined) throw cacheNotFound(name);
    return keyspace;
  }

  /** Drops every expired item of every cache; returns how many went. */
  sweep(): number {
    let removed = 0;
    for (const keyspace of this.caches.values()) removed += keyspace.sweep();
    return removed;
  }

  /** Stops the periodic sweep. The store stays usable (reads still expire items lazily). */
  close(): void {
    if (this.sweepTimer !== undefined) clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
  }
}
