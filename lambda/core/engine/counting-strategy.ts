import type { CountingStrategyName } from '../runtime/config';
import type { ScopeRef } from './scope';

/**
 * Who holds a place in a scope: a device of an account, in one session. The account is part of the
 * holder because under the content scope one room holds several accounts' devices, and device ids
 * are chosen by players: only the same account's device may be recognised as "the same device".
 */
export interface Holder {
  readonly accountId: string;
  readonly deviceId: string;
  readonly sessionId: string;
  /**
   * What the entitlement check shows about the session (`sessionDetails` in session-store.ts),
   * kept in the place itself so one read of a scope's places answers the check; absent for
   * places written without it (Vonage seats, places written by earlier versions).
   */
  readonly details?: string;
}

/** A place counted as active, with its lease slot where the strategy has slots. */
export interface HeldPlace {
  readonly holder: Holder;
  readonly slot?: number;
}

export type AcquireResult =
  | {
      readonly kind: 'acquired';
      readonly slot?: number;
      /** The same device of the same account already held a place under this earlier session. */
      readonly replaced?: Holder;
    }
  | { readonly kind: 'full'; readonly places: readonly HeldPlace[] };

/**
 * How active devices are counted in a scope. The lease strategy is exact; the two seed
 * strategies are kept, faithful to their documents, as benchmark baselines.
 */
export interface CountingStrategy {
  readonly name: CountingStrategyName;
  /** True when concurrent admissions can never overshoot the limit. */
  readonly exact: boolean;
  /**
   * Takes a place for `holder` if the scope is under `limit` (or the device already has one).
   * `ceiling`: the most places the scope has had (after a lowered limit), so they are still counted.
   */
  acquire(
    scope: ScopeRef,
    limit: number,
    holder: Holder,
    ceiling?: number,
    seen?: readonly (string | undefined)[],
  ): Promise<AcquireResult>;
  /**
   * The cache keys that hold the scope's first `width` places, for a caller that reads them in its
   * own batch with other keys; `seen` (their values) then saves {@link acquire} its first read.
   * Strategies whose places are not one key each lack it.
   */
  placeKeys?(scope: ScopeRef, width: number): string[];
  /** The places described by the values of {@link placeKeys} (in the same order). */
  placesFrom?(values: readonly (string | undefined)[]): HeldPlace[];
  /**
   * Renews the holder's place (baselines: every heartbeat; leases: a token refresh and the first
   * heartbeat a process hears); resolves false when the holder no longer has its place.
   */
  refresh(scope: ScopeRef, holder: Holder, slot?: number): Promise<boolean>;
  /** Gives the place up (a stop); a no-op where the strategy cannot release early. */
  release(scope: ScopeRef, holder: Holder, slot?: number): Promise<void>;
  /** The places counted as active now. `limit` (or a higher `ceiling`) bounds the slots to read. */
  active(scope: ScopeRef, limit: number, ceiling?: number): Promise<HeldPlace[]>;
  /** Whether the holder still has its place (used before reporting an expiry). */
  isHeld(scope: ScopeRef, holder: Holder, slot?: number): Promise<boolean>;
  /**
   * Takes the holder's slot back after its lease lapsed, if nobody took it meanwhile and an
   * admission under `limit` (with places counted up to `ceiling`) could have claimed it now.
   */
  reclaim?(
    scope: ScopeRef,
    holder: Holder,
    slot: number | undefined,
    limit: number,
    ceiling?: number,
  ): Promise<boolean>;
  /** Atomic takeover of `slot` from one holder to another (evict-oldest); strategies without slots lack it. */
  takeover?(scope: ScopeRef, slot: number, from: Holder, to: Holder): Promise<boolean>;
}
