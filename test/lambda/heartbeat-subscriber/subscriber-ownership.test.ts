import type { CachePort } from '../../../lambda/core/ports/momento-ports';
import { CountingMetrics } from '../core/support/counting-metrics';
import { silentLogger } from '../../../lambda/core/ports/observability';
import { cacheKeys } from '../../../lambda/core/engine/cache-keys';
import { ShardOwnership } from '../../../lambda/heartbeat-subscriber/shard-ownership';

// One active processor per shard set: the owner of the lease subscribes, the other stands by and
// takes over when the lease is released or runs out.
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The two conditional writes the lease uses, over a map with TTLs (as Momento keeps them). */
class LeaseCache {
  readonly items = new Map<string, { value: string; expiresAt: number }>();
  calls = 0;
  private live(key: string): string | undefined {
    const item = this.items.get(key);
    return item && item.expiresAt > Date.now() ? item.value : undefined;
  }
  async setIfEqual(key: string, value: string, equal: string, ttlSeconds: number): Promise<boolean> {
    this.calls += 1;
    if (this.live(key) !== equal) return false;
    this.items.set(key, { value, expiresAt: Date.now() + ttlSeconds * 1000 });
    return true;
  }
  async setIfAbsentOrEqual(key: string, value: string, equal: string, ttlSeconds: number): Promise<boolean> {
    this.calls += 1;
    const current = this.live(key);
    if (current !== undefined && current !== equal) return false;
    this.items.set(key, { value, expiresAt: Date.now() + ttlSeconds * 1000 });
    return true;
  }
}

function process(cache: LeaseCache, canLead: () => boolean = () => true) {
  const events: string[] = [];
  const ownership = new ShardOwnership({
    cache: cache as unknown as CachePort,
    shards: [1, 0],
    ttlSeconds: 1,
    onActive: () => events.push('active'),
    onStandby: () => events.push('standby'),
    canLead,
    logger: silentLogger,
    metrics: new CountingMetrics(),
    now: Date.now,
  });
  return { ownership, events };
}

async function waitUntil(done: () => boolean, ms = 30_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await sleep(10);
  return done();
}

it('the first process owns the shards, the second stands by, and takes over when the owner stops', async () => {
  const cache = new LeaseCache();
  const a = process(cache);
  const b = process(cache);
  await a.ownership.start();
  await b.ownership.start();
  expect([a.ownership.role, b.ownership.role]).toEqual(['active', 'standby']);
  expect(b.events).toEqual([]);
  expect(cache.items.get(cacheKeys.subscriberOwner([0, 1]))?.value).toBe(a.ownership.id);
  // The owner renews past its TTL; the standby never gets in meanwhile.
  await sleep(1500);
  expect([a.ownership.role, b.ownership.role]).toEqual(['active', 'standby']);
  await a.ownership.stop(); // releases: the standby takes over at its next check, not after the TTL
  expect(await waitUntil(() => b.ownership.role === 'active')).toBe(true);
  expect(b.events).toEqual(['active']);
  await b.ownership.stop();
});

it('a killed owner (no release) is replaced once its lease runs out', async () => {
  const cache = new LeaseCache();
  const a = process(cache);
  const b = process(cache);
  await a.ownership.start();
  await b.ownership.start();
  // A kill: the owner's timers stop, its lease is left to run out.
  (a.ownership as unknown as { stopped: boolean }).stopped = true;
  clearTimeout((a.ownership as unknown as { timer: NodeJS.Timeout }).timer);
  const killedAt = Date.now();
  expect(await waitUntil(() => b.ownership.role === 'active')).toBe(true);
  // Not before the lease ran out.
  expect(Date.now() - killedAt).toBeGreaterThanOrEqual(500);
  await b.ownership.stop();
});

it('a renewal made too late takes the lease again when nobody else has, without standing down', async () => {
  const cache = new LeaseCache();
  const a = process(cache);
  await a.ownership.start();
  cache.items.delete(cacheKeys.subscriberOwner([0, 1])); // as if the renewal came after the TTL
  await sleep(800);
  expect(a.ownership.role).toBe('active');
  expect(a.events).toEqual(['active']);
  expect(cache.items.get(cacheKeys.subscriberOwner([0, 1]))?.value).toBe(a.ownership.id);
  await a.ownership.stop();
});

it('an owner whose queue is stuck gives the shards up, and the standby takes them', async () => {
  const cache = new LeaseCache();
  let stuck = false;
  const a = process(cache, () => !stuck);
  const b = process(cache);
  await a.ownership.start();
  await b.ownership.start();
  stuck = true;
  expect(await waitUntil(() => b.ownership.role === 'active')).toBe(true);
  expect(a.ownership.role).toBe('standby');
  expect(a.events).toEqual(['active', 'standby']);
  await a.ownership.stop();
  await b.ownership.stop();
});
