import { cacheKeys } from '../../../lambda/core/engine/cache-keys';
import { DeadlineIndexWriter } from '../../../lambda/core/engine/deadline-index-writer';
import { MomentoCallError } from '../../../lambda/core/ports/momento-ports';
import { CountingMetrics } from './support/counting-metrics';
import type { EngineLogger } from '../../../lambda/core/ports/observability';
import { InMemoryCache } from './support/in-memory-cache';

/** The in-memory cache, recording each batched write (set and elements). */
class RecordingCache extends InMemoryCache {
  readonly batches: { set: string; elements: { element: string; score: number }[] }[] = [];
  /** While set, batched writes wait for it before they are applied. */
  hold: Promise<void> | undefined;

  override async sortedSetPutMany(
    set: string,
    elements: readonly { element: string; score: number }[],
    ttlSeconds: number,
  ) {
    this.batches.push({ set, elements: [...elements] });
    if (this.hold) await this.hold;
    return super.sortedSetPutMany(set, elements, ttlSeconds);
  }
}

describe('DeadlineIndexWriter', () => {
  let cache: RecordingCache;
  let metrics: CountingMetrics;
  const warnings: string[] = [];
  const logger: EngineLogger = {
    debug: () => undefined,
    info: () => undefined,
    warn: (message) => warnings.push(message),
    error: () => undefined,
  };
  const writer = (options: { windowMs?: number; maxBatch?: number } = {}) =>
    new DeadlineIndexWriter({ cache, ttlSeconds: 60, metrics, logger, ...options });
  const scoresIn = (shard: number, ids: string[]) => cache.sortedSetScores(cacheKeys.deadlines(shard), ids);

  beforeEach(() => {
    cache = new RecordingCache();
    metrics = new CountingMetrics();
    warnings.length = 0;
  });

  afterEach(() => jest.useRealTimers());

  it('keeps only the newest deadline of each session and writes a shard in one call', async () => {
    const w = writer();
    w.record(0, 'a', 1_000);
    w.record(0, 'b', 1_500);
    w.record(0, 'a', 3_000);
    w.record(0, 'a', 2_000); // late and older: the newer deadline stays
    await w.flush();
    expect(cache.batches).toEqual([
      {
        set: cacheKeys.deadlines(0),
        elements: [
          { element: 'a', score: 3_000 },
          { element: 'b', score: 1_500 },
        ],
      },
    ]);
    expect(await scoresIn(0, ['a', 'b'])).toEqual(
      new Map([
        ['a', 3_000],
        ['b', 1_500],
      ]),
    );
  });

  it('makes one call per shard per flush, and none when nothing is queued', async () => {
    const w = writer();
    for (const shard of [0, 1, 2]) for (const id of ['x', 'y']) w.record(shard, `${id}${shard}`, 10 + shard);
    await w.flush();
    expect(cache.batches.map((b) => b.set).sort()).toEqual([0, 1, 2].map((shard) => cacheKeys.deadlines(shard)).sort());
    expect(cache.batches.every((b) => b.elements.length === 2)).toBe(true);
    await w.flush();
    expect(cache.batches).toHaveLength(3);
  });

  it('writes after the window, without being flushed', async () => {
    jest.useFakeTimers();
    const w = writer({ windowMs: 50 });
    w.record(0, 'a', 1);
    w.record(1, 'b', 2);
    await jest.advanceTimersByTimeAsync(49);
    expect(cache.batches).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(cache.batches).toHaveLength(2);
    expect(await scoresIn(1, ['b'])).toEqual(new Map([['b', 2]]));
  });

  it('writes a shard at once when its batch is full', async () => {
    jest.useFakeTimers();
    const w = writer({ windowMs: 10_000, maxBatch: 3 });
    w.record(0, 'a', 1);
    w.record(0, 'b', 1);
    w.record(1, 'c', 1);
    expect(cache.batches).toHaveLength(0);
    w.record(0, 'd', 1);
    expect(cache.batches).toEqual([
      { set: cacheKeys.deadlines(0), elements: ['a', 'b', 'd'].map((element) => ({ element, score: 1 })) },
    ]);
    await w.flush(); // the rest (shard 1) on stop
    expect(cache.batches.map((b) => b.set)).toEqual([cacheKeys.deadlines(0), cacheKeys.deadlines(1)]);
  });

  it('flush waits for writes under way, and shows their deadlines until then', async () => {
    let release: () => void = () => undefined;
    cache.hold = new Promise<void>((resolve) => (release = resolve));
    const w = writer({ maxBatch: 1 });
    w.record(2, 'a', 5_000); // written at once, held by the cache
    expect(w.pendingDeadline(2, 'a')).toBe(5_000);
    w.record(2, 'a', 6_000);
    expect(w.pendingDeadline(2, 'a')).toBe(6_000);
    let flushed = false;
    const flushing = w.flush().then(() => (flushed = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(flushed).toBe(false);
    release();
    await flushing;
    expect(w.pendingDeadline(2, 'a')).toBeUndefined();
    expect(await scoresIn(2, ['a'])).toEqual(new Map([['a', 6_000]]));
  });

  it('counts and logs a failed write without throwing and queues it again, so the sweep still sees it', async () => {
    const w = writer();
    cache.failWith = new MomentoCallError('unavailable', 'down');
    w.record(0, 'a', 1_000);
    await expect(w.flush()).resolves.toBeUndefined();
    expect(metrics.get('MomentoErrors')).toBe(1);
    expect(warnings).toHaveLength(1);
    expect(w.pendingDeadline(0, 'a')).toBe(1_000);
    cache.failWith = undefined;
    w.record(0, 'a', 2_000);
    await w.flush();
    expect(await scoresIn(0, ['a'])).toEqual(new Map([['a', 2_000]]));
    expect(metrics.get('MomentoErrors')).toBe(1);
  });
});
