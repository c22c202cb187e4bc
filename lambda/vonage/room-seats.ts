import { LeaseStrategy } from '../core/engine/lease-strategy';
import type { Holder } from '../core/engine/counting-strategy';
import type { CachePort } from '../core/ports/momento-ports';
import type { ScopeRef } from '../core/engine/scope';
import type { ResolvedRoomPolicy } from './room-policy';
import { vonageKeys, vonageScopeKeys, type ConnectionRecord, type RoomRecord } from './vonage-keys';

/** How long room records, start and end markers are kept (a room id is reusable after this). */
export const ROOM_RECORD_SECONDS = 7 * 24 * 60 * 60;

/**
 * Seats of video rooms, held as the engine's leases: the room is a content scope, a seat is a
 * lease slot held by a reservation (`rsv.<userId>` for one token, short TTL, from token time) or by a connection
 * (`conn.<id>`, from `connectionCreated` until `connectionDestroyed`). A reservation turns into
 * the connection's seat with an atomic takeover of its slot, so a token used twice seats once.
 */
export class RoomSeats {
  private readonly reservations: LeaseStrategy;
  private readonly seats: LeaseStrategy;

  constructor(
    private readonly cache: CachePort,
    readonly reservationSeconds: number,
    readonly seatSeconds: number,
  ) {
    this.reservations = new LeaseStrategy(cache, reservationSeconds);
    this.seats = new LeaseStrategy(cache, seatSeconds);
  }

  /** The lease scope of a room, in the Vonage namespace no streaming request can name. */
  roomScope(roomId: string): ScopeRef {
    return { kind: 'content', accountId: 'vonage', contentId: roomId, key: vonageScopeKeys.room(roomId) };
  }

  /** The lease scope of a user's per-account limit on video rooms (same namespace). */
  accountScope(userId: string): ScopeRef {
    return { kind: 'account', accountId: userId, key: vonageScopeKeys.user(userId) };
  }

  /**
   * Records that `connectionId` used the token holding `reservationId`. True for that connection
   * (also when its callback is retried); false when another connection used the token first: a
   * token seats one connection, once. Kept for `ttlSeconds`, as long as the token can connect.
   */
  async useReservation(reservationId: string, connectionId: string, ttlSeconds: number): Promise<boolean> {
    return this.cache.setIfAbsentOrEqual(
      vonageKeys.reservationUsed(reservationId),
      connectionId,
      connectionId,
      ttlSeconds,
    );
  }

  /**
   * Reserves a seat for a token just vended. A user holds at most one reservation per scope: asking
   * again (a page reload before connecting) moves their reservation to the new token instead of
   * taking a second seat.
   */
  async reserve(
    scope: ScopeRef,
    limit: number,
    userId: string,
    reservationId: string,
  ): Promise<{ slot: number } | { full: number }> {
    const result = await this.reservations.acquire(scope, limit, reservationHolder(userId, reservationId));
    if (result.kind === 'acquired') return { slot: result.slot ?? 0 };
    return { full: result.places.length };
  }

  /** Gives a reservation back (the token request failed after reserving). */
  async cancelReservation(scope: ScopeRef, userId: string, reservationId: string, slot: number): Promise<void> {
    await this.reservations.release(scope, reservationHolder(userId, reservationId), slot);
  }

  /**
   * Seats a connection: takes over its reservation's slot when the reservation still holds it,
   * otherwise (the reservation timed out, or moved to the user's newer token) claims a free slot.
   * The caller has made sure this token seats no other connection ({@link useReservation}). A retried callback finds the connection already seated (the
   * engine's lease is keyed by holder), so it never takes a second seat. Null: the scope is full.
   */
  async seat(
    scope: ScopeRef,
    limit: number,
    connectionId: string,
    reservation?: { userId: string; id: string; slot: number },
  ): Promise<number | null> {
    const holder = connectionHolder(connectionId);
    if (reservation && reservation.slot < limit) {
      const taken = await this.seats.takeover(
        scope,
        reservation.slot,
        reservationHolder(reservation.userId, reservation.id),
        holder,
      );
      if (taken) return reservation.slot;
    }
    const result = await this.seats.acquire(scope, limit, holder);
    return result.kind === 'acquired' ? (result.slot ?? null) : null;
  }

  /** Frees a connection's seat; a no-op when the slot already passed to someone else. */
  async unseat(scope: ScopeRef, connectionId: string, slot: number): Promise<void> {
    await this.seats.release(scope, connectionHolder(connectionId), slot);
  }

  /** Who holds the scope's seats now: connection ids and the number of pending reservations. */
  async occupants(
    scope: ScopeRef,
    limit: number,
  ): Promise<{ connections: Array<{ connectionId: string; slot: number }>; reserved: number }> {
    const places = await this.seats.active(scope, limit);
    const connections: Array<{ connectionId: string; slot: number }> = [];
    let reserved = 0;
    for (const place of places) {
      const connectionId = connectionIdOf(place.holder);
      if (connectionId) connections.push({ connectionId, slot: place.slot ?? 0 });
      else reserved += 1;
    }
    return { connections, reserved };
  }

  async room(roomId: string): Promise<RoomRecord | undefined> {
    return parseJson<RoomRecord>(await this.cache.get(vonageKeys.room(roomId)));
  }

  /** Stores the room's record unless another process did first; resolves the record that won. */
  async putRoomOnce(roomId: string, record: RoomRecord): Promise<RoomRecord> {
    if (await this.cache.setIfAbsent(vonageKeys.room(roomId), JSON.stringify(record), ROOM_RECORD_SECONDS)) {
      await this.cache.set(vonageKeys.sessionRoom(record.sessionId), roomId, ROOM_RECORD_SECONDS);
      return record;
    }
    return (await this.room(roomId)) ?? record;
  }

  async roomOfSession(sessionId: string): Promise<string | undefined> {
    return this.cache.get(vonageKeys.sessionRoom(sessionId));
  }

  /** When the room's duration started (epoch ms), if it has. */
  async startedAt(roomId: string): Promise<number | undefined> {
    const value = await this.cache.get(vonageKeys.roomStart(roomId));
    return value === undefined ? undefined : Number(value);
  }

  /**
   * Starts the room's duration at `at` unless it already started, and (re)registers its deadline
   * for the scheduled check. Idempotent: a retried callback registers the same deadline.
   */
  async startDuration(roomId: string, policy: ResolvedRoomPolicy, at: number): Promise<number> {
    await this.cache.setIfAbsent(vonageKeys.roomStart(roomId), String(at), ROOM_RECORD_SECONDS);
    const start = (await this.startedAt(roomId)) ?? at;
    const deadline = start + policy.durationSeconds * 1000;
    await this.cache.sortedSetPut(vonageKeys.roomDeadlines, roomId, deadline, ROOM_RECORD_SECONDS);
    return deadline;
  }

  /** When the room's duration runs out (epoch ms): undefined when untimed or not started. */
  async deadline(roomId: string, policy: ResolvedRoomPolicy): Promise<number | undefined> {
    if (policy.durationSeconds <= 0) return undefined;
    const start = await this.startedAt(roomId);
    return start === undefined ? undefined : start + policy.durationSeconds * 1000;
  }

  async isEnded(roomId: string): Promise<boolean> {
    return (await this.cache.get(vonageKeys.roomEnded(roomId))) !== undefined;
  }

  /** Marks the room ended; true for the one call that ended it. */
  async markEnded(roomId: string, at: number): Promise<boolean> {
    return this.cache.setIfAbsent(vonageKeys.roomEnded(roomId), String(at), ROOM_RECORD_SECONDS);
  }

  async connection(connectionId: string): Promise<ConnectionRecord | undefined> {
    return parseJson<ConnectionRecord>(await this.cache.get(vonageKeys.connection(connectionId)));
  }

  async putConnection(connectionId: string, record: ConnectionRecord): Promise<void> {
    await this.cache.set(vonageKeys.connection(connectionId), JSON.stringify(record), this.seatSeconds);
  }

  async deleteConnection(connectionId: string): Promise<void> {
    await this.cache.delete(vonageKeys.connection(connectionId));
  }
}

/** A reservation is held by the user (one per scope), for one token (the reservation id). */
export function reservationHolder(userId: string, reservationId: string): Holder {
  return { accountId: VONAGE_HOLDER_ACCOUNT, deviceId: `rsv.${userId}`, sessionId: reservationId };
}

export function connectionHolder(connectionId: string): Holder {
  return { accountId: VONAGE_HOLDER_ACCOUNT, deviceId: `conn.${connectionId}`, sessionId: connectionId };
}

/**
 * Vonage seat holders belong to no tracker account: `''` keeps their lease values in the engine's
 * two-part form (`<holder> <id>`), unchanged by the engine binding its own holders to accounts.
 */
const VONAGE_HOLDER_ACCOUNT = '';

function connectionIdOf(holder: Holder): string | null {
  return holder.deviceId.startsWith('conn.') ? holder.sessionId : null;
}

function parseJson<T>(value: string | undefined): T | undefined {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value) as T;
  } catch {
    return undefined;
  }
}
