/**
 * Seats as leases. A scope (a room, or an account) has `limit` slots; a seat is a slot whose
 * lease is held by a holder id: `rsv:<reservationId>` between token and join, `conn:<connectionId>`
 * once Vonage reports the connection. Claims are atomic conditional writes, so simultaneous
 * token requests and callbacks can never seat more than `limit` holders.
 */
export interface SeatLeases {
  /** Claims a slot for `holder` (idempotent: a holder already seated keeps its slot and TTL is renewed). */
  claim(scope: string, holder: string, limit: number, ttlSeconds: number): Promise<SeatClaim>;
  /** Hands the slot held by `from` to `to` atomically; null when `from` holds no slot any more. */
  transfer(scope: string, from: string, to: string, limit: number, ttlSeconds: number): Promise<number | null>;
  /** Frees the slot held by `holder`; false when it held none. */
  release(scope: string, holder: string, limit: number): Promise<boolean>;
  /** Current holders of the scope's slots (free slots omitted). */
  holders(scope: string, limit: number): Promise<string[]>;
}

export type SeatClaim = { granted: true; slot: number } | { granted: false; holders: string[] };

/** Holder id of a reservation made at token time. */
export const reservationHolder = (reservationId: string): string => `rsv:${reservationId}`;
/** Holder id of a live Vonage connection. */
export const connectionHolder = (connectionId: string): string => `conn:${connectionId}`;
/** The connection id of a `conn:` holder, or null for a reservation. */
export function connectionIdOf(holder: string): string | null {
  return holder.startsWith('conn:') ? holder.slice('conn:'.length) : null;
}
