import { cacheKeys } from '../../lambda/core/engine/cache-keys';
import { TrackerHarness, waitFor } from './support/tracker-harness';

describe('deadline index batching against the emulator (through the SDK)', () => {
  let harness: TrackerHarness;

  beforeAll(async () => {
    harness = await TrackerHarness.start();
  });
  afterAll(() => harness.stop());

  it('sortedSetPutMany writes several elements in one SortedSetPut and updates existing scores', async () => {
    const cache = harness.ports(harness.config()).cache;
    await cache.sortedSetPutMany(
      'batch-set',
      [
        { element: 'a', score: 3 },
        { element: 'b', score: 1 },
        { element: 'c', score: 2 },
      ],
      60,
    );
    expect(await cache.sortedSetRange('batch-set', 0, 10, 10)).toEqual([
      { element: 'b', score: 1 },
      { element: 'c', score: 2 },
      { element: 'a', score: 3 },
    ]);
    await cache.sortedSetPutMany('batch-set', [{ element: 'b', score: 9 }], 60);
    await cache.sortedSetPutMany('batch-set', [], 60);
    expect(await cache.sortedSetScores('batch-set', ['a', 'b', 'c'])).toEqual(
      new Map([
        ['a', 3],
        ['b', 9],
        ['c', 2],
      ]),
    );
  });

  it('the subscriber queues heartbeat deadlines and writes them when it stops', async () => {
    const config = harness.config();
    const cache = harness.ports(config).cache;
    // A window far longer than the test: only the stop can write the queued deadline.
    const subscriber = await harness.subscriber({}, { deadlineIndexWindowMs: 600_000 });
    const grant = await harness.api().admit('flush-acc', { deviceId: 'tv' });
    const deadlines = cacheKeys.deadlines(0);
    const written = (await cache.sortedSetScores(deadlines, [grant.sessionId])).get(grant.sessionId)!;
    expect(written).toBeGreaterThan(Date.now());
    const device = await harness.device(grant, 'tv');
    await new Promise((resolve) => setTimeout(resolve, 20)); // a later heartbeat, a later deadline
    await device.heartbeat();
    await waitFor(() => subscriber.stats().messages.outcomes.refreshed >= 1, 15_000, 'the heartbeat to be processed');
    expect((await cache.sortedSetScores(deadlines, [grant.sessionId])).get(grant.sessionId)).toBe(written);
    await subscriber.stop();
    expect((await cache.sortedSetScores(deadlines, [grant.sessionId])).get(grant.sessionId)).toBeGreaterThan(written);
  });
});
