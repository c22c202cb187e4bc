import type {
  ConnectionCreated,
  ConnectionDestroyed,
  HandledCallback,
  StreamCreated,
  StreamDestroyed,
  TokenData,
} from './callback-event';
import { parseTokenData } from './callback-event';
import { CALLBACK_MAX_AGE_SECONDS } from './callback-signature';
import { emitRoomEvent } from './room-events';
import { mayPublish, policyForRoom, streamKindOf } from './room-policy';
import type { VonageDependencies } from './vonage-dependencies';
import { vonageKeys, type ConnectionRecord } from './vonage-keys';
import { errorMessage } from '../core/error-message';

/** How long tombstones of destroyed connections and streams stop late or retried events. */
export const TOMBSTONE_SECONDS = 24 * 60 * 60;

export type CallbackOutcome =
  | 'seated'
  | 'duplicate'
  | 'late' // arrived after the connection or stream was destroyed: nothing seated, nothing enforced
  | 'not-our-session'
  | 'disconnected-not-authorised'
  | 'disconnected-room-full'
  | 'disconnected-account-limit'
  | 'disconnected-room-ended'
  | 'disconnected-token-reused' // the token already seated another connection: one token, one seat
  | 'released'
  | 'tombstoned' // destroyed before its created arrived: no ghost seat later
  | 'stream-allowed'
  | 'stream-stopped'
  | 'stream-recorded';

/**
 * The four session-monitoring events. All state is in Momento (seats as the engine's leases,
 * connection records, tombstones), so retries, duplicates and reordering are decided by atomic
 * writes, not by what this process happens to remember.
 */
export async function handleCallback(callback: HandledCallback, deps: VonageDependencies): Promise<CallbackOutcome> {
  switch (callback.event) {
    case 'connectionCreated':
      return connectionCreated(callback, deps);
    case 'connectionDestroyed':
      return connectionDestroyed(callback, deps);
    case 'streamCreated':
      return streamCreated(callback, deps);
    case 'streamDestroyed':
      return streamDestroyed(callback, deps);
  }
}

async function connectionCreated(callback: ConnectionCreated, deps: VonageDependencies): Promise<CallbackOutcome> {
  const { seats } = deps;
  const connectionId = callback.connection.id;
  const data = parseTokenData(callback.connection.data);
  if (await deps.cache.get(vonageKeys.connectionGone(connectionId))) {
    // Destroyed before this arrived: its reservation is not left holding a seat until it times out,
    // and its token counts as used.
    if (data) {
      await seats.useReservation(data.rsv, connectionId, tokenUseSeconds(data, deps));
      await seats.cancelReservation(seats.roomScope(data.room), data.user, data.rsv, data.slot);
    }
    return 'late';
  }
  if (await seats.connection(connectionId)) return 'duplicate';

  const roomId = await roomOf(callback.sessionId, data, deps);
  if (!roomId) return 'not-our-session';
  const policy = policyForRoom(deps.config.policies, roomId);
  const roomScope = seats.roomScope(roomId);
  const base = { roomId, sessionId: callback.sessionId, userId: data?.user, role: data?.role, at: callback.timestamp };

  const refuse = async (outcome: CallbackOutcome, reason: string): Promise<CallbackOutcome> => {
    await seats.putConnection(connectionId, { ...base, seated: false });
    deps.metrics.count('AdmissionsDenied');
    await emitRoomEvent(deps, 'Session Denied', {
      roomId,
      scope: roomScope.key,
      userId: data?.user,
      subject: connectionId,
      reason,
      limit: policy.capacity,
    });
    await disconnect(deps, callback.sessionId, connectionId, reason);
    return outcome;
  };

  // Authorised users only: a connection must carry the data of a token this service vended for this room.
  if (!data || data.room !== roomId) return refuse('disconnected-not-authorised', 'not-authorised');
  if (await seats.isEnded(roomId)) return refuse('disconnected-room-ended', 'room-ended');
  const deadline = await seats.deadline(roomId, policy);
  if (deadline !== undefined && deadline <= callback.timestamp) return refuse('disconnected-room-ended', 'room-ended');

  // One token, one seat: a second connection with the same token data (a shared or copied token)
  // is refused, whether or not the room has a free seat, so that seat stays for someone else.
  if (!(await seats.useReservation(data.rsv, connectionId, tokenUseSeconds(data, deps))))
    return refuse('disconnected-token-reused', 'token-already-used');

  const roomSlot = await seats.seat(roomScope, policy.capacity, connectionId, {
    userId: data.user,
    id: data.rsv,
    slot: data.slot,
  });
  if (roomSlot === null) return refuse('disconnected-room-full', 'room-full');

  let accountSlot: number | undefined;
  const accountScope = seats.accountScope(data.user);
  if (data.aslot !== undefined || deps.config.accountLimit > 0) {
    const limit = Math.max(deps.config.accountLimit, (data.aslot ?? -1) + 1);
    const slot = await seats.seat(
      accountScope,
      limit,
      connectionId,
      data.aslot !== undefined ? { userId: data.user, id: data.rsv, slot: data.aslot } : undefined,
    );
    if (slot === null) {
      await seats.unseat(roomScope, connectionId, roomSlot);
      return refuse('disconnected-account-limit', 'account-limit');
    }
    accountSlot = slot;
  }
  const record: ConnectionRecord = { ...base, roomSlot, accountSlot, seated: true };
  await seats.putConnection(connectionId, record);

  // A connectionDestroyed processed meanwhile wrote its tombstone before reading our record;
  // reading the tombstone after writing the record means one of the two always sees the other.
  if (await deps.cache.get(vonageKeys.connectionGone(connectionId))) {
    await releaseSeats(deps, connectionId, record);
    await seats.deleteConnection(connectionId);
    return 'late';
  }

  if (policy.durationSeconds > 0) {
    const occupants = await seats.occupants(roomScope, policy.capacity);
    if (occupants.connections.length >= policy.durationStartsWhen)
      await seats.startDuration(roomId, policy, callback.timestamp);
  }
  return 'seated';
}

async function connectionDestroyed(callback: ConnectionDestroyed, deps: VonageDependencies): Promise<CallbackOutcome> {
  const connectionId = callback.connection.id;
  // Tombstone first, then read the record (the mirror image of connectionCreated).
  await deps.cache.set(vonageKeys.connectionGone(connectionId), String(callback.timestamp), TOMBSTONE_SECONDS);
  const record = await deps.seats.connection(connectionId);
  if (!record) return 'tombstoned';
  if (record.seated) {
    await releaseSeats(deps, connectionId, record);
    deps.metrics.count('SessionsStopped');
    await emitRoomEvent(deps, 'Session Stopped', {
      roomId: record.roomId,
      scope: deps.seats.roomScope(record.roomId).key,
      userId: record.userId,
      subject: connectionId,
      reason: callback.reason ?? 'connectionDestroyed',
    });
  }
  await deps.seats.deleteConnection(connectionId);
  return 'released';
}

async function streamCreated(callback: StreamCreated, deps: VonageDependencies): Promise<CallbackOutcome> {
  const stream = callback.stream;
  if (await deps.cache.get(vonageKeys.streamGone(stream.id))) return 'late';
  const data = parseTokenData(stream.connection.data);
  const roomId = await roomOf(callback.sessionId, data, deps);
  if (!roomId) return 'not-our-session';
  const policy = policyForRoom(deps.config.policies, roomId);
  const kind = streamKindOf(stream.videoType);
  // A connection without our token data is disconnected by its connectionCreated; here it has no role.
  const role = data?.role ?? '';
  if (mayPublish(policy, role, kind)) return 'stream-allowed';
  if (!(await deps.cache.setIfAbsent(vonageKeys.streamHandled(stream.id), 'stopped', TOMBSTONE_SECONDS)))
    return 'duplicate';
  const reason = `role "${role || 'none'}" may not publish ${kind} streams in room ${roomId}`;
  try {
    await deps.vonage.stopStream(callback.sessionId, stream.id, stream.connection.id, reason);
    deps.metrics.count('VonageStreamsStopped');
  } catch (error) {
    await recordEnforcementFailure(deps, callback.sessionId, stream.connection.id, error);
  }
  await emitRoomEvent(deps, 'Session Evicted', {
    roomId,
    scope: deps.seats.roomScope(roomId).key,
    userId: data?.user,
    subject: stream.connection.id,
    reason: `stream-kind-not-allowed:${kind}`,
  });
  return 'stream-stopped';
}

async function streamDestroyed(callback: StreamDestroyed, deps: VonageDependencies): Promise<CallbackOutcome> {
  await deps.cache.set(vonageKeys.streamGone(callback.stream.id), String(callback.timestamp), TOMBSTONE_SECONDS);
  return 'stream-recorded';
}

/**
 * How long a token's use is remembered: until the token expires (its data says when; tokens
 * vended before that field existed live at most the configured lifetime), plus the maximum age of
 * a callback, since Vonage may announce a connection made just before the token expired a little later.
 */
function tokenUseSeconds(data: TokenData, deps: VonageDependencies): number {
  const nowSeconds = Math.floor(deps.now() / 1000);
  const expires = data.exp ?? nowSeconds + deps.config.tokenTtlSeconds;
  return Math.max(1, expires - nowSeconds) + CALLBACK_MAX_AGE_SECONDS;
}

/** The room of a callback: from our token data, else from the session it belongs to. */
async function roomOf(
  sessionId: string,
  data: TokenData | null,
  deps: VonageDependencies,
): Promise<string | undefined> {
  const bySession = await deps.seats.roomOfSession(sessionId);
  if (bySession) return bySession;
  // A session we have no record of (its record expired): trust the signed token data's room only
  // if that room's record names this session.
  if (data) {
    const room = await deps.seats.room(data.room);
    if (room?.sessionId === sessionId) return data.room;
  }
  return undefined;
}

export async function releaseSeats(
  deps: VonageDependencies,
  connectionId: string,
  record: ConnectionRecord,
): Promise<void> {
  if (record.roomSlot !== undefined)
    await deps.seats.unseat(deps.seats.roomScope(record.roomId), connectionId, record.roomSlot);
  if (record.accountSlot !== undefined && record.userId) {
    await deps.seats.unseat(deps.seats.accountScope(record.userId), connectionId, record.accountSlot);
  }
}

/** forceDisconnect; a failure is queued for the scheduled check to retry, never a failed callback. */
export async function disconnect(
  deps: VonageDependencies,
  sessionId: string,
  connectionId: string,
  reason: string,
): Promise<boolean> {
  try {
    await deps.vonage.disconnect(sessionId, connectionId);
    deps.metrics.count('VonageDisconnects');
    deps.logger.info('vonage connection disconnected', { sessionId, connectionId, reason });
    return true;
  } catch (error) {
    await recordEnforcementFailure(deps, sessionId, connectionId, error);
    return false;
  }
}

async function recordEnforcementFailure(
  deps: VonageDependencies,
  sessionId: string,
  connectionId: string,
  error: unknown,
): Promise<void> {
  deps.metrics.count('VonageEnforcementErrors');
  deps.logger.error('vonage enforcement failed; queued for retry', {
    sessionId,
    connectionId,
    error: errorMessage(error),
  });
  await deps.cache.sortedSetPut(
    vonageKeys.disconnectRetries,
    `${sessionId} ${connectionId}`,
    deps.now(),
    TOMBSTONE_SECONDS,
  );
}
