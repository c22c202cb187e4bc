import { cacheKeys } from './cache-keys';
import type { AcquireResult, CountingStrategy, HeldPlace, Holder } from './counting-strategy';
import type { CachePort } from '../ports/momento-ports';
import type { ScopeRef } from './scope';

/** The seed's `getIntervalMarker(minutesBack)`, generalised to any interval length. */
export function intervalMarker(nowMs: number, intervalMs: number, intervalsBack = 0): number {
  const then = nowMs - intervalsBack * intervalMs;
  return then - (then % intervalMs);
}

/**
 * The seed's interval dictionaries (Momento's "Tracking concurrent devices", full version): each
 * heartbeat increments the device's field in the dictionary `<scope>-<interval start>` (TTL two
 * intervals); the check counts the fields of the *previous*, complete interval. Kept as a
 * baseline, with its weaknesses: the count lags by up to two intervals, a new device is invisible
 * until its first interval completes (so admission lets simultaneous starts through), and a stop
 * is not seen until the interval it happened in has passed.
 */
export class IntervalDictionaryStrategy implements CountingStrategy {
  readonly name = 'interval-dictionary' as const;
  readonly exact = false;

  constructor(
    private readonly cache: CachePort,
    /** Interval length; the seed uses one minute. */
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async acquire(scope: ScopeRef, limit: number, holder: Holder): Promise<AcquireResult> {
    const places = await this.active(scope);
    const own = places.some((place) => place.holder.deviceId === holder.deviceId);
    if (!own && places.length >= limit) return { kind: 'full', places };
    await this.record(scope, holder);
    return { kind: 'acquired' };
  }

  async refresh(scope: ScopeRef, holder: Holder): Promise<boolean> {
    await this.record(scope, holder);
    return true;
  }

  /** The seed has no release: a stopped device drops out when its intervals pass. */
  async release(): Promise<void> {
    return undefined;
  }

  /** Devices of the last complete interval. Session ids and accounts are not in the seed's dictionary. */
  async active(scope: ScopeRef): Promise<HeldPlace[]> {
    const previous = cacheKeys.intervalDictionary(scope.key, intervalMarker(this.now(), this.intervalMs, 1));
    const devices = await this.cache.dictionaryFields(previous);
    return devices.map((deviceId) => ({ holder: { accountId: '', deviceId, sessionId: '' } }));
  }

  async isHeld(scope: ScopeRef, holder: Holder): Promise<boolean> {
    const now = this.now();
    for (const back of [0, 1]) {
      const devices = await this.cache.dictionaryFields(
        cacheKeys.intervalDictionary(scope.key, intervalMarker(now, this.intervalMs, back)),
      );
      if (devices.includes(holder.deviceId)) return true;
    }
    return false;
  }

  private async record(scope: ScopeRef, holder: Holder): Promise<void> {
    const current = cacheKeys.intervalDictionary(scope.key, intervalMarker(this.now(), this.intervalMs));
    await this.cache.dictionaryIncrement(current, holder.deviceId, 1, (2 * this.intervalMs) / 1000);
  }
}
