import { cacheKeys, FREE_SLOT } from './cache-keys';
import type { AcquireResult, CountingStrategy, HeldPlace, Holder } from './counting-strategy';
import type { CachePort } from '../ports/momento-ports';
import type { ScopeRef } from './scope';

/** Seconds a released slot keeps its free marker before it disappears by itself. */
const RELEASED_TTL_SECONDS = 1;

/**
 * A lease's value: `<accountId> <deviceId> <sessionId> <details>` (identifiers never contain spaces;
 * the details, what the entitlement check shows, are base64url and may be absent). A
 * holder without an account (`''`, never a valid account id) is written `<deviceId> <sessionId>`:
 * the form of leases written before the account was part of the value (they still count, are no
 * tracker device's "same device", and a heartbeat renews them into the current form; a takeover or
 * release from the parsed holder matches exactly), and of the Vonage seats, which have no account.
 */
export function leaseValue(holder: Holder): string {
  const base =
    holder.accountId === ''
      ? `${holder.deviceId} ${holder.sessionId}`
      : `${holder.accountId} ${holder.deviceId} ${holder.sessionId}`;
  return holder.details === undefined || holder.accountId === '' ? base : `${base} ${holder.details}`;
}

export function parseLeaseValue(value: string | undefined): Holder | undefined {
  if (value === undefined || value === FREE_SLOT) return undefined;
  const parts = value.split(' ');
  if (parts.some((part) => part === '')) return undefined;
  if (parts.length === 4)
    return { accountId: parts[0]!, deviceId: parts[1]!, sessionId: parts[2]!, details: parts[3]! };
  if (parts.length === 3) return { accountId: parts[0]!, deviceId: parts[1]!, sessionId: parts[2]! };
  if (parts.length === 2) return { accountId: '', deviceId: parts[0]!, sessionId: parts[1]! };
  return undefined;
}

/**
 * Exact counting with one lease per device: slot keys `<scope>#0..limit-1`, each claimed with an
 * atomic conditional write, refreshed by heartbeats, released by a stop and expiring by itself
 * when the heartbeats stop. Two admissions can never hold the same slot, so simultaneous starts
 * admit exactly `limit`. A lease is held by a device of an account: only the same account's
 * device with the same id is "the same device" (under the content scope a room holds several
 * accounts, and device ids are chosen by players).
 */
export class LeaseStrategy implements CountingStrategy {
  readonly name = 'leases' as const;
  readonly exact = true;

  constructor(
    private readonly cache: CachePort,
    private readonly leaseSeconds: number,
    /** Randomises the first slot tried, so simultaneous starts spread over the free slots. */
    private readonly random: () => number = Math.random,
  ) {}

  /**
   * `ceiling` is the most slots the scope has had: after a lowered limit, devices may still hold
   * slots at or above the new limit until they leave. They are read and counted, and a new device
   * may only claim one of the first `limit - held` free slots below the limit: however many
   * admissions race on one view, they claim at most that many distinct slots, so the total never
   * passes `limit`. (Without such devices every free slot below the limit qualifies.)
   */
  async acquire(
    scope: ScopeRef,
    limit: number,
    holder: Holder,
    ceiling = limit,
    seen?: readonly (string | undefined)[],
  ): Promise<AcquireResult> {
    const value = leaseValue(holder);
    const width = Math.max(limit, ceiling);
    let slots: (Holder | undefined)[];
    // Two passes: a slot freed or expiring between the read and the write gets a second chance.
    for (let pass = 0; pass < 2; pass += 1) {
      slots =
        pass === 0 && seen !== undefined && seen.length >= width
          ? seen.slice(0, width).map(parseLeaseValue)
          : await this.readSlots(scope, width);
      const own = slots.findIndex((held) => held?.accountId === holder.accountId && held.deviceId === holder.deviceId);
      if (own >= 0) {
        const previous = slots[own]!;
        const kept = await this.cache.setIfEqual(
          cacheKeys.lease(scope.key, own),
          value,
          leaseValue(previous),
          this.leaseSeconds,
        );
        if (kept) {
          return previous.sessionId === holder.sessionId
            ? { kind: 'acquired', slot: own }
            : { kind: 'acquired', slot: own, replaced: previous };
        }
        continue;
      }
      const free = claimableSlots(slots, limit);
      const start = free.length > 0 ? Math.floor(this.random() * free.length) : 0;
      for (let i = 0; i < free.length; i += 1) {
        const slot = free[(start + i) % free.length]!;
        if (await this.claim(scope, slot, value)) return { kind: 'acquired', slot };
      }
      // No free slot in this view: it is the answer (no second read needed).
      if (free.length === 0)
        return {
          kind: 'full',
          places: slots.flatMap((held, slot): HeldPlace[] => (held ? [{ holder: held, slot }] : [])),
        };
    }
    return { kind: 'full', places: await this.active(scope, limit, ceiling) };
  }

  async refresh(scope: ScopeRef, holder: Holder, slot?: number): Promise<boolean> {
    if (slot === undefined) return false;
    const key = cacheKeys.lease(scope.key, slot);
    const value = leaseValue(holder);
    if (await this.cache.setIfEqual(key, value, value, this.leaseSeconds)) return true;
    if (holder.accountId === '') return false;
    // A lease written by an earlier version (without the details, or without the account too):
    // renewed into the current form.
    if (
      holder.details !== undefined &&
      (await this.cache.setIfEqual(key, value, leaseValue({ ...holder, details: undefined }), this.leaseSeconds))
    )
      return true;
    return this.cache.setIfEqual(key, value, leaseValue({ ...holder, accountId: '' }), this.leaseSeconds);
  }

  placeKeys(scope: ScopeRef, width: number): string[] {
    return Array.from({ length: width }, (_, slot) => cacheKeys.lease(scope.key, slot));
  }

  placesFrom(values: readonly (string | undefined)[]): HeldPlace[] {
    return values.map(parseLeaseValue).flatMap((held, slot): HeldPlace[] => (held ? [{ holder: held, slot }] : []));
  }

  async release(scope: ScopeRef, holder: Holder, slot?: number): Promise<void> {
    if (slot === undefined) return;
    // Conditional: a stop arriving after the slot passed to another device must not free it.
    await this.cache.setIfEqual(cacheKeys.lease(scope.key, slot), FREE_SLOT, leaseValue(holder), RELEASED_TTL_SECONDS);
  }

  async active(scope: ScopeRef, limit: number, ceiling = limit): Promise<HeldPlace[]> {
    const slots = await this.readSlots(scope, Math.max(limit, ceiling));
    return slots.flatMap((held, slot): HeldPlace[] => (held ? [{ holder: held, slot }] : []));
  }

  async isHeld(scope: ScopeRef, holder: Holder, slot?: number): Promise<boolean> {
    if (slot === undefined) return false;
    const held = parseLeaseValue(await this.cache.get(cacheKeys.lease(scope.key, slot)));
    return held?.sessionId === holder.sessionId && held.deviceId === holder.deviceId;
  }

  /**
   * A late heartbeat's way back into its lapsed slot, under the same rule as an admission: only
   * when its slot is one of the first `limit - held` free slots below the current limit. So after a
   * lowered limit it cannot come back above the limit, nor below it while the limit is used, and
   * racing admissions and reclaims still claim at most `limit - held` distinct slots.
   */
  async reclaim(
    scope: ScopeRef,
    holder: Holder,
    slot: number | undefined,
    limit: number,
    ceiling = limit,
  ): Promise<boolean> {
    if (slot === undefined || slot >= limit) return false;
    const slots = await this.readSlots(scope, Math.max(limit, ceiling));
    if (!claimableSlots(slots, limit).includes(slot)) return false;
    return this.claim(scope, slot, leaseValue(holder));
  }

  async takeover(scope: ScopeRef, slot: number, from: Holder, to: Holder): Promise<boolean> {
    return this.cache.setIfEqual(cacheKeys.lease(scope.key, slot), leaseValue(to), leaseValue(from), this.leaseSeconds);
  }

  private async claim(scope: ScopeRef, slot: number, value: string): Promise<boolean> {
    const key = cacheKeys.lease(scope.key, slot);
    if (await this.cache.setIfAbsentOrEqual(key, value, value, this.leaseSeconds)) return true;
    // A released slot holds the free marker for a second; it is as good as empty.
    return this.cache.setIfEqual(key, value, FREE_SLOT, this.leaseSeconds);
  }

  private async readSlots(scope: ScopeRef, limit: number): Promise<(Holder | undefined)[]> {
    return (await this.cache.getBatch(this.placeKeys(scope, limit))).map(parseLeaseValue);
  }
}

/** The free slots an admission may claim: the first `limit - held` free slots below `limit`. */
function claimableSlots(slots: readonly (Holder | undefined)[], limit: number): number[] {
  const held = slots.filter(Boolean).length;
  return slots
    .slice(0, limit)
    .flatMap((taken, slot) => (taken ? [] : [slot]))
    .slice(0, Math.max(0, limit - held));
}
