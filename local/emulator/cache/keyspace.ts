import { bytesToKey, isEmptyCollection, type CacheItem, type ItemKind, type ItemValues } from './cache-item';
import { invalidArgument, wrongItemType } from './momento-errors';

/** Collection write options as every collection rpc carries them. */
export interface CollectionTtl {
  readonly ttlMilliseconds: number;
  readonly refreshTtl: boolean;
}

/**
 * The items of one cache. Expired items are removed when read (lazily) and by the store's periodic
 * sweep, so an expired item is never observed.
 */
export class Keyspace {
  private readonly items = new Map<string, CacheItem>();

  constructor(private readonly now: () => number) {}

  /** The live item at `key`, of any type. */
  get(key: Uint8Array): CacheItem | undefined {
    const name = bytesToKey(key);
    const item = this.items.get(name);
    if (item === undefined) return undefined;
    if (item.expiresAt <= this.now()) {
      this.items.delete(name);
      return undefined;
    }
    return item;
  }

  /** The live item at `key` if it has type `kind`; throws the type error if it has another. */
  read<K extends ItemKind>(key: Uint8Array, kind: K): CacheItem<K> | undefined {
    const item = this.get(key);
    if (item === undefined) return undefined;
    if (item.kind !== kind) throw wrongItemType(kind, item.kind);
    return item as CacheItem<K>;
  }

  /** Replaces whatever is at `key` (an unconditional write, as `set` is). */
  put<K extends ItemKind>(key: Uint8Array, kind: K, value: ItemValues[K], ttlMilliseconds: number): CacheItem<K> {
    const item: CacheItem<K> = { kind, value, expiresAt: this.expiryFor(ttlMilliseconds) };
    this.items.set(bytesToKey(key), item);
    return item;
  }

  /**
   * The collection at `key`, created empty when absent. A new collection always gets the TTL; an
   * existing one gets it only when `refreshTtl` is set (Momento's CollectionTtl semantics).
   */
  upsertCollection<K extends ItemKind>(
    key: Uint8Array,
    kind: K,
    ttl: CollectionTtl,
    create: () => ItemValues[K],
  ): CacheItem<K> {
    const existing = this.read(key, kind);
    if (existing === undefined) return this.put(key, kind, create(), ttl.ttlMilliseconds);
    if (ttl.refreshTtl) existing.expiresAt = this.expiryFor(ttl.ttlMilliseconds);
    return existing;
  }

  /** Removes a collection that a call has emptied. */
  // Assumption: like Redis, Momento does not keep empty collections; a fetch after removing the
  // last element is a miss.
  dropIfEmpty(key: Uint8Array): void {
    const item = this.get(key);
    if (item !== undefined && isEmptyCollection(item)) this.items.delete(bytesToKey(key));
  }

  delete(key: Uint8Array): void {
    this.items.delete(bytesToKey(key));
  }

  /** Remaining lifetime of a live item in milliseconds. */
  remainingTtl(item: CacheItem): number {
    return Math.max(0, item.expiresAt - this.now());
  }

  setRemainingTtl(item: CacheItem, ttlMilliseconds: number): void {
    item.expiresAt = this.expiryFor(ttlMilliseconds);
  }

  clear(): void {
    this.items.clear();
  }

  /** Drops every expired item; returns how many went. */
  sweep(): number {
    const now = this.now();
    let removed = 0;
    for (const [name, item] of this.items) {
      if (item.expiresAt <= now) {
        this.items.delete(name);
        removed += 1;
      }
    }
    return removed;
  }

  get size(): number {
    return this.items.size;
  }

  private expiryFor(ttlMilliseconds: number): number {
    // Assumption: a zero or negative TTL is rejected as INVALID_ARGUMENT (the SDK never sends one;
    // it validates TTLs and fills in the client's default).
    if (!Number.isFinite(ttlMilliseconds) || ttlMilliseconds <= 0) {
      throw invalidArgument(`ttl_milliseconds must be positive, got ${ttlMilliseconds}`);
    }
    return this.now() + ttlMilliseconds;
  }
}
