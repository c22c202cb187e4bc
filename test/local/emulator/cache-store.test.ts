import { CacheStore } from '../../../local/emulator/cache';

const key = (text: string): Uint8Array => Buffer.from(text);

describe('CacheStore', () => {
  let now = 1_000_000;
  let store: CacheStore;
  beforeEach(() => {
    now = 1_000_000;
    store = new CacheStore({ now: () => now, sweepIntervalMs: 60_000 });
    store.createCache('c');
  });
  afterEach(() => store.close());

  it('manages caches', () => {
    expect(store.hasCache('c')).toBe(true);
    expect(() => store.createCache('c')).toThrow(expect.objectContaining({ code: 6 })); // ALREADY_EXISTS
    store.createCache('a');
    expect(store.listCaches()).toEqual(['a', 'c']);
    store.deleteCache('a');
    expect(() => store.deleteCache('a')).toThrow(expect.objectContaining({ code: 5 })); // NOT_FOUND
    expect(() => store.cache('a')).toThrow(expect.objectContaining({ code: 5 }));
    store.ensureCache('c');
    store.ensureCache('b');
    expect(store.listCaches()).toEqual(['b', 'c']);
  });

  it('hides an item from the moment its TTL passes (lazy expiry)', () => {
    const keyspace = store.cache('c');
    keyspace.put(key('k'), 'scalar', key('v'), 100);
    now += 99;
    expect(keyspace.get(key('k'))).toBeDefined();
    now += 1;
    expect(keyspace.get(key('k'))).toBeUndefined();
  });

  it('sweeps expired items out of every cache', () => {
    store.createCache('d');
    store.cache('c').put(key('short'), 'scalar', key('v'), 10);
    store.cache('c').put(key('long'), 'scalar', key('v'), 10_000);
    store.cache('d').put(key('short'), 'list', [key('v')], 10);
    now += 50;
    expect(store.sweep()).toBe(2);
    expect(store.cache('c').size).toBe(1);
    expect(store.cache('d').size).toBe(0);
  });

  it('sweeps on its own timer, which does not hold the process open', () => {
    jest.useFakeTimers();
    try {
      const timed = new CacheStore({ now: () => now, sweepIntervalMs: 1_000 });
      timed.createCache('t');
      timed.cache('t').put(key('k'), 'scalar', key('v'), 10);
      now += 20;
      expect(timed.cache('t').size).toBe(1);
      jest.advanceTimersByTime(1_000);
      expect(timed.cache('t').size).toBe(0);
      timed.close();
      expect(jest.getTimerCount()).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });

  it('gives a new collection the TTL and refreshes an existing one only when asked', () => {
    const keyspace = store.cache('c');
    const created = keyspace.upsertCollection(
      key('l'),
      'list',
      { ttlMilliseconds: 1_000, refreshTtl: false },
      () => [],
    );
    expect(created.expiresAt).toBe(now + 1_000);
    now += 500;
    keyspace.upsertCollection(key('l'), 'list', { ttlMilliseconds: 1_000, refreshTtl: false }, () => []);
    expect(created.expiresAt).toBe(now + 500);
    keyspace.upsertCollection(key('l'), 'list', { ttlMilliseconds: 1_000, refreshTtl: true }, () => []);
    expect(created.expiresAt).toBe(now + 1_000);
  });

  it('refuses to treat an item as another type', () => {
    const keyspace = store.cache('c');
    keyspace.put(key('k'), 'dictionary', new Map(), 1_000);
    expect(() => keyspace.read(key('k'), 'list')).toThrow(expect.objectContaining({ code: 9 })); // FAILED_PRECONDITION
  });

  it('flushes a cache but keeps it', () => {
    store.cache('c').put(key('k'), 'scalar', key('v'), 1_000);
    store.flushCache('c');
    expect(store.cache('c').size).toBe(0);
    expect(store.hasCache('c')).toBe(true);
  });
});
