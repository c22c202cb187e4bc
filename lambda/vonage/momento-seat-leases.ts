import {
  type ICacheClient,
  CacheGetBatchResponse,
  CacheSetIfAbsentOrEqualResponse,
  CacheSetIfEqualResponse,
} from '@gomomento/sdk';
import type { SeatClaim, SeatLeases } from './seat-leases';
import { StateStoreError } from './room-state-store';

/** Value a released slot holds for its last second, as the engine's stop does (setIfEqual, 1 s TTL). */
const RELEASED = '~released';

/**
 * Seat leases in Momento with the engine's key layout, `<scope>#<slot>` for slot in
 * `0..limit-1`: a claim is `setIfAbsentOrEqual(holder)` (absent or already ours), a released slot
 * is retaken with `setIfEqual(RELEASED)`, a transfer is `setIfEqual(to, from)`, and one `getBatch`
 * reads a whole scope.
 */
export function momentoSeatLeases(client: ICacheClient, cacheName: string): SeatLeases {
  const slotKeys = (scope: string, limit: number): string[] =>
    Array.from({ length: limit }, (_, slot) => `${scope}#${slot}`);

  async function read(scope: string, limit: number): Promise<Array<string | undefined>> {
    if (limit <= 0) return [];
    const keys = slotKeys(scope, limit);
    const response = await client.getBatch(cacheName, keys);
    if (response.type !== CacheGetBatchResponse.Success) {
      throw new StateStoreError('getBatch', response.toString());
    }
    const values = response.values();
    return keys.map((key) => values[key]);
  }

  async function setIfEqual(key: string, value: string, equal: string, ttlSeconds: number): Promise<boolean> {
    const response = await client.setIfEqual(cacheName, key, value, equal, { ttl: ttlSeconds });
    if (response.type === CacheSetIfEqualResponse.Error) throw new StateStoreError('setIfEqual', response.toString());
    return response.type === CacheSetIfEqualResponse.Stored;
  }

  async function setIfAbsentOrEqual(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    const response = await client.setIfAbsentOrEqual(cacheName, key, value, value, { ttl: ttlSeconds });
    if (response.type === CacheSetIfAbsentOrEqualResponse.Error) {
      throw new StateStoreError('setIfAbsentOrEqual', response.toString());
    }
    return response.type === CacheSetIfAbsentOrEqualResponse.Stored;
  }

  const live = (values: Array<string | undefined>): string[] =>
    values.filter((value): value is string => value !== undefined && value !== RELEASED);

  return {
    async claim(scope, holder, limit, ttlSeconds): Promise<SeatClaim> {
      const keys = slotKeys(scope, limit);
      const values = await read(scope, limit);
      // Our own slot first (renewal), then free ones; a lost race moves on to the next slot.
      const own = values.indexOf(holder);
      const order = own >= 0 ? [own] : values.map((_, slot) => slot);
      for (const slot of order) {
        const current = values[slot];
        if (current === RELEASED) {
          if (await setIfEqual(keys[slot], holder, RELEASED, ttlSeconds)) return { granted: true, slot };
        } else if (current === undefined || current === holder) {
          if (await setIfAbsentOrEqual(keys[slot], holder, ttlSeconds)) return { granted: true, slot };
        }
      }
      return { granted: false, holders: live(await read(scope, limit)) };
    },

    async transfer(scope, from, to, limit, ttlSeconds) {
      const values = await read(scope, limit);
      const slot = values.indexOf(from);
      if (slot < 0) return null;
      return (await setIfEqual(`${scope}#${slot}`, to, from, ttlSeconds)) ? slot : null;
    },

    async release(scope, holder, limit) {
      const values = await read(scope, limit);
      let released = false;
      for (const [slot, value] of values.entries()) {
        if (value === holder && (await setIfEqual(`${scope}#${slot}`, RELEASED, holder, 1))) released = true;
      }
      return released;
    },

    async holders(scope, limit) {
      return live(await read(scope, limit));
    },
  };
}
