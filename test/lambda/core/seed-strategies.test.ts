import { CappedListStrategy } from '../../../lambda/core/engine/capped-list-strategy';
import { intervalMarker, IntervalDictionaryStrategy } from '../../../lambda/core/engine/interval-dictionary-strategy';
import { resolveScope } from '../../../lambda/core/engine/scope';
import { InMemoryCache } from './support/in-memory-cache';
import { ManualClock } from './support/manual-clock';

const scope = resolveScope('account', 'acc-1');
const holder = (n: number) => ({ accountId: 'acc-1', deviceId: `device-${n}`, sessionId: `session-${n}` });

describe('CappedListStrategy (seed baseline)', () => {
  it('counts distinct devices among the last N heartbeats, with no time bound', async () => {
    const clock = new ManualClock();
    const list = new CappedListStrategy(new InMemoryCache(clock), 4, 3600, clock.now);
    await list.refresh(scope, holder(1));
    await list.refresh(scope, holder(1));
    await list.refresh(scope, holder(2));
    clock.advance(30 * 60_000); // half an hour later device-1 and device-2 still count
    expect((await list.active(scope)).map((p) => p.holder.deviceId).sort()).toEqual(['device-1', 'device-2']);
    // N too small: four heartbeats of device-3 push the others out although they may be active.
    for (let i = 0; i < 4; i += 1) await list.refresh(scope, holder(3));
    expect((await list.active(scope)).map((p) => p.holder.deviceId)).toEqual(['device-3']);
  });

  it('overshoots the limit under simultaneous starts (check-then-act)', async () => {
    const list = new CappedListStrategy(new InMemoryCache(), 100, 3600);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => list.acquire(scope, 3, holder(i))));
    expect(results.filter((r) => r.kind === 'acquired').length).toBeGreaterThan(3);
  });

  it('does not free a place on release', async () => {
    const list = new CappedListStrategy(new InMemoryCache(), 10, 3600);
    await list.acquire(scope, 1, holder(1));
    await list.release();
    expect(await list.acquire(scope, 1, holder(2))).toMatchObject({ kind: 'full' });
  });
});

describe('IntervalDictionaryStrategy (seed baseline)', () => {
  it('rounds down to the interval like getIntervalMarker', () => {
    const at = Date.UTC(2026, 0, 1, 12, 34, 56, 789);
    expect(intervalMarker(at, 60_000)).toBe(Date.UTC(2026, 0, 1, 12, 34));
    expect(intervalMarker(at, 60_000, 1)).toBe(Date.UTC(2026, 0, 1, 12, 33));
  });

  it('counts the previous complete interval only: a new device shows up one interval late', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 12, 0, 10));
    const dictionaries = new IntervalDictionaryStrategy(new InMemoryCache(clock), 60_000, clock.now);
    await dictionaries.refresh(scope, holder(1));
    await dictionaries.refresh(scope, holder(1));
    expect(await dictionaries.active(scope)).toHaveLength(0);
    clock.advance(60_000);
    expect((await dictionaries.active(scope)).map((p) => p.holder.deviceId)).toEqual(['device-1']);
    clock.advance(60_000); // no heartbeat in the last interval: the count drops to zero
    expect(await dictionaries.active(scope)).toHaveLength(0);
  });

  it('lets simultaneous starts through (nothing is visible until an interval completes)', async () => {
    const dictionaries = new IntervalDictionaryStrategy(new InMemoryCache(), 60_000);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => dictionaries.acquire(scope, 3, holder(i))));
    expect(results.every((r) => r.kind === 'acquired')).toBe(true);
  });
});
