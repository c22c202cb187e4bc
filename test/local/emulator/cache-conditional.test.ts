import {
  CacheGet,
  CacheSetIfAbsent,
  CacheSetIfAbsentOrEqual,
  CacheSetIfEqual,
  CacheSetIfNotExists,
  MomentoErrorCode,
} from '@gomomento/sdk';
import { errorCodeOf, useCacheFixture } from './support/cache-fixture';

const fx = useCacheFixture('conditional');

let keyCounter = 0;
const freshKey = (): string => `key-${++keyCounter}`;

async function valueOf(key: string): Promise<string | undefined> {
  const response = await fx.client.get(fx.cacheName, key);
  return response instanceof CacheGet.Hit ? response.valueString() : undefined;
}

/**
 * Whether a conditional-set response says it stored (true), did not (false), or failed (throws).
 * Every conditional-set response type names its variants 'Stored', 'NotStored' and 'Error'.
 */
function stored(response: { readonly type: string; toString(): string }): boolean {
  if (response.type === 'Stored') return true;
  if (response.type === 'NotStored') return false;
  throw new Error(`unexpected response ${response.toString()}`);
}

/** The method a test names, storing 'new' at `key` (the comparing ones compare with `compareWith`). */
async function conditionalSet(method: string, key: string, compareWith: string) {
  const c = fx.client;
  return method === 'setIfAbsent'
    ? c.setIfAbsent(fx.cacheName, key, 'new')
    : method === 'setIfPresent'
      ? c.setIfPresent(fx.cacheName, key, 'new')
      : method === 'setIfEqual'
        ? c.setIfEqual(fx.cacheName, key, 'new', compareWith)
        : method === 'setIfNotEqual'
          ? c.setIfNotEqual(fx.cacheName, key, 'new', compareWith)
          : method === 'setIfPresentAndNotEqual'
            ? c.setIfPresentAndNotEqual(fx.cacheName, key, 'new', compareWith)
            : c.setIfAbsentOrEqual(fx.cacheName, key, 'new', compareWith);
}

describe('conditional sets on an absent key', () => {
  it.each([
    ['setIfAbsent', true],
    ['setIfPresent', false],
    ['setIfEqual', false],
    ['setIfNotEqual', true],
    ['setIfPresentAndNotEqual', false],
    ['setIfAbsentOrEqual', true],
  ] as const)('%s stores: %s', async (method, expected) => {
    const key = freshKey();
    const response = await conditionalSet(method, key, 'old');
    expect(stored(response)).toBe(expected);
    expect(await valueOf(key)).toBe(expected ? 'new' : undefined);
  });
});

describe('conditional sets on a present key holding "old"', () => {
  it.each([
    ['setIfAbsent', 'old', false],
    ['setIfPresent', 'old', true],
    ['setIfEqual (equal)', 'old', true],
    ['setIfEqual (different)', 'other', false],
    ['setIfNotEqual (equal)', 'old', false],
    ['setIfNotEqual (different)', 'other', true],
    ['setIfPresentAndNotEqual (equal)', 'old', false],
    ['setIfPresentAndNotEqual (different)', 'other', true],
    ['setIfAbsentOrEqual (equal)', 'old', true],
    ['setIfAbsentOrEqual (different)', 'other', false],
  ] as const)('%s compared with %s stores: %s', async (label, compareWith, expected) => {
    const key = freshKey();
    await fx.client.set(fx.cacheName, key, 'old');
    const response = await conditionalSet(label.split(' ')[0]!, key, compareWith);
    expect(stored(response)).toBe(expected);
    expect(await valueOf(key)).toBe(expected ? 'new' : 'old');
  });

  it('the deprecated setIfNotExists stores only when absent', async () => {
    const key = freshKey();
    expect(await fx.client.setIfNotExists(fx.cacheName, key, 'first')).toBeInstanceOf(CacheSetIfNotExists.Stored);
    expect(await fx.client.setIfNotExists(fx.cacheName, key, 'second')).toBeInstanceOf(CacheSetIfNotExists.NotStored);
    expect(await valueOf(key)).toBe('first');
  });

  it('a conditional set on a collection key is a type error', async () => {
    await fx.client.listPushBack(fx.cacheName, 'a-list', 'x');
    const response = await fx.client.setIfAbsent(fx.cacheName, 'a-list', 'x');
    expect(response).toBeInstanceOf(CacheSetIfAbsent.Error);
    expect(errorCodeOf(response)).toBe(MomentoErrorCode.FAILED_PRECONDITION_ERROR);
  });
});

describe('atomicity under concurrent callers', () => {
  it('exactly one of 50 concurrent setIfAbsent calls wins', async () => {
    const key = freshKey();
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) => fx.client.setIfAbsent(fx.cacheName, key, `writer-${i}`)),
    );
    const winners = responses.flatMap((r, i) => (r instanceof CacheSetIfAbsent.Stored ? [i] : []));
    expect(winners).toHaveLength(1);
    expect(responses.filter((r) => r instanceof CacheSetIfAbsent.NotStored)).toHaveLength(49);
    expect(await valueOf(key)).toBe(`writer-${winners[0]}`);
  });

  it('exactly one of 50 concurrent setIfAbsentOrEqual calls with distinct values wins', async () => {
    const key = freshKey();
    // Each caller expects the key to be absent or to hold its own predecessor's value ("expected");
    // only the first to arrive finds it absent, after which nobody's expected value matches.
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) => fx.client.setIfAbsentOrEqual(fx.cacheName, key, `writer-${i}`, 'expected')),
    );
    const winners = responses.flatMap((r, i) => (r instanceof CacheSetIfAbsentOrEqual.Stored ? [i] : []));
    expect(winners).toHaveLength(1);
    expect(await valueOf(key)).toBe(`writer-${winners[0]}`);
  });

  it('compare-and-swap chains never lose an update', async () => {
    // 10 concurrent workers each increment a counter 5 times via read + setIfEqual retries.
    const key = freshKey();
    await fx.client.set(fx.cacheName, key, '0');
    const worker = async (): Promise<void> => {
      for (let done = 0; done < 5;) {
        const current = (await valueOf(key)) ?? '0';
        const swapped = await fx.client.setIfEqual(fx.cacheName, key, String(Number(current) + 1), current);
        if (swapped instanceof CacheSetIfEqual.Stored) done += 1;
        else if (!(swapped instanceof CacheSetIfEqual.NotStored)) throw new Error(swapped.toString());
      }
    };
    await Promise.all(Array.from({ length: 10 }, worker));
    expect(await valueOf(key)).toBe('50');
  });
});
