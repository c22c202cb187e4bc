import * as z from 'zod';
import { cacheKeys } from './cache-keys';
import type { AcquireResult, CountingStrategy, HeldPlace, Holder } from './counting-strategy';
import type { CachePort } from '../ports/momento-ports';
import type { ScopeRef } from './scope';

const listEntrySchema = z.object({
  accountId: z.string().default(''),
  deviceId: z.string(),
  sessionId: z.string(),
  at: z.number(),
});

/**
 * The seed's capped list (Momento's "Tracking concurrent devices", list version): every heartbeat
 * is pushed onto a per-scope list capped to the most recent N entries; the check fetches the list,
 * deduplicates device ids and counts them. Kept as a baseline, with the seed's weaknesses: no
 * time bound (a device that stopped still counts until N newer heartbeats push it out), too small
 * an N loses active devices, and admission is check-then-act, so simultaneous starts overshoot.
 */
export class CappedListStrategy implements CountingStrategy {
  readonly name = 'capped-list' as const;
  readonly exact = false;

  constructor(
    private readonly cache: CachePort,
    /** N: how many recent heartbeats the list keeps. */
    private readonly listSize: number,
    /** The list's TTL, refreshed by each push (the seed leaves it to the cache default). */
    private readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  async acquire(scope: ScopeRef, limit: number, holder: Holder): Promise<AcquireResult> {
    const places = await this.active(scope, limit);
    const own = places.find(
      (place) => place.holder.accountId === holder.accountId && place.holder.deviceId === holder.deviceId,
    );
    if (!own && places.length >= limit) return { kind: 'full', places };
    // Check-then-act, as in the seed: another admission may land between the fetch and this push.
    await this.push(scope, holder);
    return own && own.holder.sessionId !== holder.sessionId
      ? { kind: 'acquired', replaced: own.holder }
      : { kind: 'acquired' };
  }

  async refresh(scope: ScopeRef, holder: Holder): Promise<boolean> {
    await this.push(scope, holder);
    return true;
  }

  /** The seed has no release: a stopped device ages out of the list. */
  async release(): Promise<void> {
    return undefined;
  }

  async active(scope: ScopeRef, _limit?: number): Promise<HeldPlace[]> {
    const latest = new Map<string, Holder>();
    for (const raw of await this.cache.listFetch(cacheKeys.heartbeatList(scope.key))) {
      const entry = parseEntry(raw);
      // Later entries win, so a reconnected device shows its newest session.
      if (entry)
        latest.set(`${entry.accountId} ${entry.deviceId}`, {
          accountId: entry.accountId,
          deviceId: entry.deviceId,
          sessionId: entry.sessionId,
        });
    }
    return [...latest.values()].map((holder) => ({ holder }));
  }

  async isHeld(scope: ScopeRef, holder: Holder): Promise<boolean> {
    const places = await this.active(scope);
    return places.some((place) => place.holder.sessionId === holder.sessionId);
  }

  private async push(scope: ScopeRef, holder: Holder): Promise<void> {
    const entry = JSON.stringify({
      accountId: holder.accountId,
      deviceId: holder.deviceId,
      sessionId: holder.sessionId,
      at: this.now(),
    });
    await this.cache.listPushBack(cacheKeys.heartbeatList(scope.key), entry, this.listSize, this.ttlSeconds);
  }
}

function parseEntry(raw: string): z.infer<typeof listEntrySchema> | undefined {
  try {
    const result = listEntrySchema.safeParse(JSON.parse(raw));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}
