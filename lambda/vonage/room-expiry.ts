import { emitRoomEvent } from './room-events';
import { policyForRoom } from './room-policy';
import { disconnect, releaseSeats } from './session-monitoring';
import type { VonageDependencies } from './vonage-dependencies';
import { vonageKeys } from './vonage-keys';

/** Rooms handled per run; more wait for the next minute. */
const ROOMS_PER_RUN = 100;

export interface ExpiryReport {
  readonly roomsEnded: number;
  readonly disconnected: number;
  readonly retried: number;
}

/**
 * The scheduled duration check (an EventBridge rule runs it every minute; no Lambda keeps a timer):
 * every room whose duration ran out is marked ended (no new token, any late joiner disconnected)
 * and everyone in it is disconnected and unseated. Disconnects that failed earlier are retried.
 * Safe to run twice at once: ending a room is a single `setIfAbsent`, and a second disconnect of a
 * gone connection is a no-op at Vonage.
 */
export async function expireRooms(deps: VonageDependencies): Promise<ExpiryReport> {
  const now = deps.now();
  let roomsEnded = 0;
  let disconnected = 0;
  const due = await deps.cache.sortedSetRange(vonageKeys.roomDeadlines, 0, now, ROOMS_PER_RUN);
  for (const { element: roomId } of due) {
    const policy = policyForRoom(deps.config.policies, roomId);
    const room = await deps.seats.room(roomId);
    const firstToEnd = await deps.seats.markEnded(roomId, now);
    if (firstToEnd) {
      roomsEnded += 1;
      deps.metrics.count('VonageRoomsExpired');
    }
    const scope = deps.seats.roomScope(roomId);
    const occupants = await deps.seats.occupants(scope, policy.capacity);
    for (const { connectionId, slot } of occupants.connections) {
      const record = await deps.seats.connection(connectionId);
      if (room && (await disconnect(deps, room.sessionId, connectionId, 'room-duration-ended'))) disconnected += 1;
      if (record) await releaseSeats(deps, connectionId, record);
      else await deps.seats.unseat(scope, connectionId, slot);
      deps.metrics.count('SessionsExpired');
      await emitRoomEvent(deps, 'Session Expired', {
        roomId,
        scope: scope.key,
        userId: record?.userId,
        subject: connectionId,
        reason: 'room-duration-ended',
      });
    }
    await deps.cache.sortedSetRemove(vonageKeys.roomDeadlines, [roomId]);
  }
  const retried = await retryDisconnects(deps);
  return { roomsEnded, disconnected, retried };
}

async function retryDisconnects(deps: VonageDependencies): Promise<number> {
  const queued = await deps.cache.sortedSetRange(vonageKeys.disconnectRetries, 0, deps.now(), ROOMS_PER_RUN);
  let done = 0;
  for (const { element } of queued) {
    const [sessionId, connectionId] = element.split(' ');
    if (!sessionId || !connectionId) continue;
    await deps.cache.sortedSetRemove(vonageKeys.disconnectRetries, [element]);
    // A failure re-queues it (disconnect records it again).
    if (await disconnect(deps, sessionId, connectionId, 'retry')) done += 1;
  }
  return done;
}
