/**
 * Every key the Vonage path writes to the Momento cache, in one place. `vn1:` versions the layout
 * and keeps it apart from the engine's `ct1:` keys.
 */
export const vonageKeys = {
  /** Room record (JSON {@link RoomRecord}). */
  room: (roomId: string) => `vn1:room:${roomId}`,
  /** Vonage session id -> room id, for callbacks whose connection carries no token data. */
  sessionRoom: (sessionId: string) => `vn1:session:${sessionId}`,
  /** When the room's duration started (epoch ms), written once. */
  roomStart: (roomId: string) => `vn1:start:${roomId}`,
  /** Set once when the room's duration ran out: nobody joins again. */
  roomEnded: (roomId: string) => `vn1:ended:${roomId}`,
  /** Connection record (JSON {@link ConnectionRecord}), or `pending` while a callback handles it. */
  connection: (connectionId: string) => `vn1:conn:${connectionId}`,
  /** Tombstone: the connection was destroyed; a late or retried `connectionCreated` seats nothing. */
  connectionGone: (connectionId: string) => `vn1:gone:${connectionId}`,
  /** The stream was already acted on (de-duplicates retried `streamCreated`). */
  streamHandled: (streamId: string) => `vn1:stream:${streamId}`,
  /** Tombstone: the stream was destroyed; a late `streamCreated` is not acted on. */
  streamGone: (streamId: string) => `vn1:stream-gone:${streamId}`,
  /**
   * Ticket of a user for a room; the value is the user's role (empty: the room's default role).
   * `|` separates the two ids because neither may contain it (room and account id patterns), so
   * `<room>:<user>`'s ambiguity (room `a:b` with user `c` against room `a` with user `b:c`) is gone.
   */
  ticket: (roomId: string, userId: string) => `vn1:ticket:${idWithoutBar(roomId)}|${idWithoutBar(userId)}`,
  /** The connection that used a token's reservation: a token seats one connection, once. */
  reservationUsed: (reservationId: string) => `vn1:rsv-used:${reservationId}`,
  /** A signed callback's `jti`, remembered while its token is accepted, so a replay is not acted on. */
  callbackJti: (jti: string) => `vn1:jti:${jti}`,
  /** Sorted set: timed rooms scored by the end of their duration (epoch ms). */
  roomDeadlines: 'vn1:room-deadlines',
  /** Sorted set: `<sessionId> <connectionId>` disconnects that failed, retried by the scheduled check. */
  disconnectRetries: 'vn1:disconnect-retries',
} as const;

/**
 * Lease scope keys of the Vonage path, a namespace of its own. The streaming path's scope keys are
 * `a|<account>`, `ac|<account>|<content>` and `c|<content>`, and its ids may not contain `|`, so
 * no streaming request can name a key that starts with `vn|`: a `contentId` of `vonage:lesson-42`
 * or a `deviceId` of `rsv.alice` stays in the streaming path's own scopes.
 */
export const vonageScopeKeys = {
  /** A room's seats. */
  room: (roomId: string) => `vn|room|${idWithoutBar(roomId)}`,
  /** A user's rooms (the per-account limit on video rooms). */
  user: (userId: string) => `vn|user|${idWithoutBar(userId)}`,
} as const;

/** Ids are validated at the edge (no `|`); this keeps a key unambiguous should one slip through. */
function idWithoutBar(id: string): string {
  if (id.includes('|')) throw new Error(`an id inside a Vonage key may not contain "|": ${JSON.stringify(id)}`);
  return id;
}

export interface RoomRecord {
  readonly sessionId: string;
  readonly createdAt: number;
}

export interface ConnectionRecord {
  readonly roomId: string;
  readonly sessionId: string;
  readonly userId?: string;
  readonly role?: string;
  /** Seat slot in the room's scope. */
  readonly roomSlot?: number;
  /** Seat slot in the user's account scope (absent without a per-account limit). */
  readonly accountSlot?: number;
  /** Whether the connection holds seats (false: it was refused and disconnected). */
  readonly seated: boolean;
  readonly at: number;
}
