import type { CachePort } from '../../../../lambda/core/ports/momento-ports';
import { MomentoCallError } from '../../../../lambda/core/ports/momento-ports';

type Item =
  | { kind: 'scalar'; value: string; expiresAt: number }
  | { kind: 'list'; values: string[]; expiresAt: number }
  | { kind: 'dictionary'; fields: Map<string, number>; expiresAt: number }
  | { kind: 'sorted-set'; scores: Map<string, number>; expiresAt: number };

/**
 * A small in-memory stand-in for the cache port with TTLs on a controllable clock, for unit
 * tests of engine logic. (The emulator-backed integration tests cover the real SDK path.)
 */
export class InMemoryCache implements CachePort {
  readonly items = new Map<string, Item>();
  calls = 0;
  /** When set, every call fails with this error. */
  failWith: MomentoCallError | undefined;

  constructor(readonly clock: { now: () => number } = { now: Date.now }) {}

  private live(key: string): Item | undefined {
    const item = this.items.get(key);
    if (item && item.expiresAt <= this.clock.now()) {
      this.items.delete(key);
      return undefined;
    }
    return item;
  }

  private touch(): void {
    this.calls += 1;
    if (this.failWith) throw this.failWith;
  }

  private expiry(ttlSeconds: number): number {
    return this.clock.now() + ttlSeconds * 1000;
  }

  private scalar(key: string): string | undefined {
    const item = this.live(key);
    return item?.kind === 'scalar' ? item.value : undefined;
  }

  async get(key: string) {
    this.touch();
    return this.scalar(key);
  }
  async getBatch(keys: readonly string[]) {
    this.touch();
    return keys.map((key) => this.scalar(key));
  }
  async set(key: string, value: string, ttlSeconds: number) {
    this.touch();
    this.items.set(key, { kind: 'scalar', value, expiresAt: this.expiry(ttlSeconds) });
  }
  async setBatch(items: readonly { key: string; value: string; ttlSeconds: number }[]) {
    this.touch();
    for (const item of items)
      this.items.set(item.key, { kind: 'scalar', value: item.value, expiresAt: this.expiry(item.ttlSeconds) });
  }
  async delete(key: string) {
    this.touch();
    this.items.delete(key);
  }
  async setIfAbsent(key: string, value: string, ttlSeconds: number) {
    this.touch();
    if (this.live(key)) return false;
    this.items.set(key, { kind: 'scalar', value, expiresAt: this.expiry(ttlSeconds) });
    return true;
  }
  async setIfAbsentOrEqual(key: string, value: string, equal: string, ttlSeconds: number) {
    this.touch();
    const current = this.live(key);
    if (current && !(current.kind === 'scalar' && current.value === equal)) return false;
    this.items.set(key, { kind: 'scalar', value, expiresAt: this.expiry(ttlSeconds) });
    return true;
  }
  async setIfEqual(key: string, value: string, equal: string, ttlSeconds: number) {
    this.touch();
    const current = this.live(key);
    if (!current || current.kind !== 'scalar' || current.value !== equal) return false;
    this.items.set(key, { kind: 'scalar', value, expiresAt: this.expiry(ttlSeconds) });
    return true;
  }
  async listPushBack(list: string, value: string, keepLast: number, ttlSeconds: number) {
    this.touch();
    const current = this.live(list);
    const values = current?.kind === 'list' ? [...current.values, value] : [value];
    this.items.set(list, { kind: 'list', values: values.slice(-keepLast), expiresAt: this.expiry(ttlSeconds) });
  }
  async listFetch(list: string) {
    this.touch();
    const current = this.live(list);
    return current?.kind === 'list' ? [...current.values] : [];
  }
  async dictionaryIncrement(dictionary: string, field: string, amount: number, ttlSeconds: number) {
    this.touch();
    const current = this.live(dictionary);
    const fields = current?.kind === 'dictionary' ? current.fields : new Map<string, number>();
    fields.set(field, (fields.get(field) ?? 0) + amount);
    this.items.set(dictionary, { kind: 'dictionary', fields, expiresAt: this.expiry(ttlSeconds) });
  }
  async dictionaryFields(dictionary: string) {
    this.touch();
    const current = this.live(dictionary);
    return current?.kind === 'dictionary' ? [...current.fields.keys()] : [];
  }
  async dictionaryLength(dictionary: string) {
    return (await this.dictionaryFields(dictionary)).length;
  }
  async sortedSetPut(set: string, element: string, score: number, ttlSeconds: number) {
    this.touch();
    const current = this.live(set);
    const scores = current?.kind === 'sorted-set' ? current.scores : new Map<string, number>();
    scores.set(element, score);
    this.items.set(set, { kind: 'sorted-set', scores, expiresAt: this.expiry(ttlSeconds) });
  }
  async sortedSetPutMany(set: string, elements: readonly { element: string; score: number }[], ttlSeconds: number) {
    if (elements.length === 0) return;
    this.touch();
    const current = this.live(set);
    const scores = current?.kind === 'sorted-set' ? current.scores : new Map<string, number>();
    for (const { element, score } of elements) scores.set(element, score);
    this.items.set(set, { kind: 'sorted-set', scores, expiresAt: this.expiry(ttlSeconds) });
  }
  async sortedSetRange(set: string, minScore: number, maxScore: number, count: number) {
    this.touch();
    const current = this.live(set);
    if (current?.kind !== 'sorted-set') return [];
    return [...current.scores]
      .filter(([, score]) => score >= minScore && score <= maxScore)
      .sort((a, b) => a[1] - b[1])
      .slice(0, count)
      .map(([element, score]) => ({ element, score }));
  }
  async sortedSetScores(set: string, elements: readonly string[]) {
    this.touch();
    const current = this.live(set);
    const found = new Map<string, number>();
    if (current?.kind === 'sorted-set')
      for (const element of elements) if (current.scores.has(element)) found.set(element, current.scores.get(element)!);
    return found;
  }
  async sortedSetRemove(set: string, elements: readonly string[]) {
    this.touch();
    const current = this.live(set);
    if (current?.kind === 'sorted-set') elements.forEach((element) => current.scores.delete(element));
  }
}
