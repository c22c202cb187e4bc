import { TimedCachePort } from '../../bench/timed-cache-port';
import type { CachePort } from '../../lambda/core/ports/momento-ports';

/** A port whose `get` answers after the test lets it, and whose `delete` fails. */
function slowPort(): { port: CachePort; answer: () => void } {
  let answer = () => {};
  const port = {
    get: (key: string) =>
      new Promise<string | undefined>((resolve) => {
        answer = () => resolve(`value of ${key}`);
      }),
    delete: () => Promise.reject(new Error('refused')),
  } as unknown as CachePort;
  return { port, answer: () => answer() };
}

describe('TimedCachePort', () => {
  it('passes each call on and times it, by method, from the call to its answer', async () => {
    const inner = slowPort();
    const timed = new TimedCachePort(inner.port);
    const pending = timed.port.get('k');
    expect(timed.byMethod().get('get')).toBeUndefined(); // not answered yet: nothing recorded
    await new Promise((resolve) => setTimeout(resolve, 20));
    inner.answer();
    await expect(pending).resolves.toBe('value of k');
    const times = timed.byMethod().get('get')!;
    expect(times).toHaveLength(1);
    // At least the 20 ms the answer was held back (a lower bound only: a busy machine only adds).
    expect(times[0]).toBeGreaterThanOrEqual(15);
  });

  it('times a failed call too and passes its error on', async () => {
    const timed = new TimedCachePort(slowPort().port);
    await expect(timed.port.delete('k')).rejects.toThrow('refused');
    expect(timed.byMethod().get('delete')).toHaveLength(1);
  });

  it('forgets the times on reset', async () => {
    const timed = new TimedCachePort(slowPort().port);
    await timed.port.delete('k').catch(() => undefined);
    timed.reset();
    expect(timed.byMethod().size).toBe(0);
  });
});
