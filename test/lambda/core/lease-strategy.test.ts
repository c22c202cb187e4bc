import { cacheKeys, FREE_SLOT } from '../../../lambda/core/engine/cache-keys';
import { LeaseStrategy } from '../../../lambda/core/engine/lease-strategy';
import { resolveScope } from '../../../lambda/core/engine/scope';
import { InMemoryCache } from './support/in-memory-cache';
import { ManualClock } from './support/manual-clock';

const scope = resolveScope('account', 'acc-1');
const holder = (n: number) => ({ accountId: 'acc-1', deviceId: `device-${n}`, sessionId: `session-${n}` });

describe('LeaseStrategy', () => {
  let clock: ManualClock;
  let cache: InMemoryCache;
  let leases: LeaseStrategy;

  beforeEach(() => {
    clock = new ManualClock();
    cache = new InMemoryCache(clock);
    leases = new LeaseStrategy(cache, 3);
  });

  it('admits exactly the limit under simultaneous starts', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => leases.acquire(scope, 3, holder(i))));
    expect(results.filter((r) => r.kind === 'acquired')).toHaveLength(3);
    const slots = results.flatMap((r) => (r.kind === 'acquired' ? [r.slot] : []));
    expect(new Set(slots)).toEqual(new Set([0, 1, 2]));
    expect(await leases.active(scope, 3)).toHaveLength(3);
  });

  it.each([
    ['all devices above the new limit', [3, 4], 3, 1],
    ['devices on both sides of the new limit', [2, 4], 3, 1],
    ['a device just below the new limit', [3, 4], 4, 2],
    ['the scope already full', [0, 3, 4], 3, 0],
  ])('stays exact after a lowered limit: %s', async (_name, heldSlots, newLimit, expectedAdmitted) => {
    // Devices admitted under a limit of 5 still hold these slots.
    for (const slot of heldSlots)
      await cache.set(cacheKeys.lease(scope.key, slot), `old-${slot} old-session-${slot}`, 3);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => leases.acquire(scope, newLimit, holder(i), 5)),
    );
    expect(results.filter((r) => r.kind === 'acquired')).toHaveLength(expectedAdmitted);
    expect(await leases.active(scope, newLimit, 5)).toHaveLength(heldSlots.length + expectedAdmitted);
  });

  it('gives a reconnecting device its own slot back instead of a second one', async () => {
    await leases.acquire(scope, 2, holder(1));
    const again = await leases.acquire(scope, 2, { accountId: 'acc-1', deviceId: 'device-1', sessionId: 'session-1b' });
    expect(again).toMatchObject({ kind: 'acquired', replaced: holder(1) });
    const active = await leases.active(scope, 2);
    expect(active).toEqual([
      { holder: { accountId: 'acc-1', deviceId: 'device-1', sessionId: 'session-1b' }, slot: expect.any(Number) },
    ]);
  });

  it('reports the holders when full', async () => {
    await leases.acquire(scope, 2, holder(1));
    await leases.acquire(scope, 2, holder(2));
    const full = await leases.acquire(scope, 2, holder(3));
    expect(full.kind).toBe('full');
    expect(full.kind === 'full' && full.places.map((p) => p.holder.deviceId).sort()).toEqual(['device-1', 'device-2']);
  });

  it('frees a slot at once on release, and only for its holder', async () => {
    const first = await leases.acquire(scope, 1, holder(1));
    const slot = first.kind === 'acquired' ? first.slot : undefined;
    await leases.release(scope, holder(2), slot); // not the holder: nothing happens
    expect(await leases.active(scope, 1)).toHaveLength(1);
    await leases.release(scope, holder(1), slot);
    expect(await cache.get(cacheKeys.lease(scope.key, 0))).toBe(FREE_SLOT);
    expect(await leases.active(scope, 1)).toHaveLength(0);
    expect(await leases.acquire(scope, 1, holder(2))).toMatchObject({ kind: 'acquired', slot: 0 });
  });

  it('lets a lease lapse without heartbeats and keeps it with them', async () => {
    await leases.acquire(scope, 2, holder(1));
    const second = await leases.acquire(scope, 2, holder(2));
    const slot2 = second.kind === 'acquired' ? second.slot : undefined;
    clock.advance(2000);
    expect(await leases.refresh(scope, holder(2), slot2)).toBe(true);
    clock.advance(2000); // device-1 silent for 4 s > 3 s lease
    const active = await leases.active(scope, 2);
    expect(active.map((p) => p.holder.deviceId)).toEqual(['device-2']);
    const lostSlot = slot2 === 0 ? 1 : 0;
    expect(await leases.refresh(scope, holder(1), lostSlot)).toBe(false);
  });

  it('takes a slot over atomically only from the expected holder', async () => {
    await leases.acquire(scope, 1, holder(1));
    expect(await leases.takeover(scope, 0, holder(9), holder(2))).toBe(false);
    expect(await leases.takeover(scope, 0, holder(1), holder(2))).toBe(true);
    expect(await leases.isHeld(scope, holder(2), 0)).toBe(true);
    expect(await leases.isHeld(scope, holder(1), 0)).toBe(false);
  });

  it('binds a lease to the account: another account’s same device id in a room is a new claim', async () => {
    const room = resolveScope('content', 'bob', 'room-1');
    const bob = { accountId: 'bob', deviceId: 'web', sessionId: 'bob-1' };
    const mallory = { accountId: 'mallory', deviceId: 'web', sessionId: 'mallory-1' };
    const first = await leases.acquire(room, 2, bob);
    expect(await leases.acquire(room, 2, mallory)).toEqual({ kind: 'acquired', slot: expect.any(Number) });
    expect(await leases.refresh(room, bob, first.kind === 'acquired' ? first.slot : undefined)).toBe(true);
    expect(await leases.active(room, 2)).toHaveLength(2);
  });

  it('renews a lease written before the account was part of its value into the current form', async () => {
    await cache.set(cacheKeys.lease(scope.key, 0), 'device-1 session-1', 3);
    expect(await leases.active(scope, 1)).toEqual([
      { holder: { accountId: '', deviceId: 'device-1', sessionId: 'session-1' }, slot: 0 },
    ]);
    expect(await leases.refresh(scope, holder(1), 0)).toBe(true);
    expect(await cache.get(cacheKeys.lease(scope.key, 0))).toBe('acc-1 device-1 session-1');
  });

  it('lets a late heartbeat reclaim its slot only where an admission under the limit could claim it', async () => {
    // Three holders under a limit of 3, then the limit is 2 and the holder of slot 2 lapsed.
    await cache.set(cacheKeys.lease(scope.key, 0), 'acc-1 device-0 session-0', 3);
    await cache.set(cacheKeys.lease(scope.key, 1), 'acc-1 device-1 session-1', 3);
    expect(await leases.reclaim(scope, holder(2), 2, 2, 3)).toBe(false); // above the limit
    clock.advance(3500); // everyone lapsed
    await cache.set(cacheKeys.lease(scope.key, 1), 'acc-1 device-1 session-1', 3);
    await cache.set(cacheKeys.lease(scope.key, 2), 'acc-1 device-2 session-2', 3);
    expect(await leases.reclaim(scope, holder(0), 0, 2, 3)).toBe(false); // the limit of 2 is used
    expect(await leases.reclaim(scope, holder(0), 0, 3, 3)).toBe(true); // under a limit of 3 it fits
  });
});
