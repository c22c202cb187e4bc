import type { CachePort } from '../lambda/core/ports/momento-ports';

/**
 * A cache port that times each call it passes on (wall time from the call to its answer, by
 * method), so a benchmark can say which round trips an operation's time went to.
 */
export class TimedCachePort {
  private readonly times = new Map<string, number[]>();
  readonly port: CachePort;

  constructor(inner: CachePort) {
    this.port = new Proxy(inner, {
      get: (target, name, receiver) => {
        const value: unknown = Reflect.get(target, name, receiver);
        if (typeof value !== 'function' || typeof name !== 'string') return value;
        return async (...args: unknown[]) => {
          const t0 = performance.now();
          try {
            return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          } finally {
            this.record(name, performance.now() - t0);
          }
        };
      },
    });
  }

  /** Forgets every time taken so far. */
  reset(): void {
    this.times.clear();
  }

  /** The times (ms) of each method called since the last reset. */
  byMethod(): ReadonlyMap<string, readonly number[]> {
    return this.times;
  }

  private record(method: string, ms: number): void {
    const list = this.times.get(method);
    if (list) list.push(ms);
    else this.times.set(method, [ms]);
  }
}
