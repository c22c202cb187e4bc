import { issueClientToken } from './client-token';
import { emitRoomEvent } from './room-events';
import { policyForRoom, type ResolvedRoomPolicy } from './room-policy';
import type { VonageDependencies } from './vonage-dependencies';
import { vonageKeys } from './vonage-keys';
import { errorMessage } from '../core/error-message';

export interface RoomTokenRequest {
  readonly roomId: string;
  /** The authenticated caller; never taken from a field the client controls. */
  readonly userId: string;
}

export type RefusalReason = 'room-full' | 'account-limit' | 'room-ended' | 'not-a-ticket-holder' | 'denied';

export type RoomAdmission =
  | {
      readonly kind: 'admitted';
      readonly token: string;
      readonly applicationId: string;
      readonly sessionId: string;
      readonly roomId: string;
      readonly role: string;
      readonly vonageRole: 'publisher' | 'subscriber';
      /** ISO 8601: the token cannot be used to connect after this. */
      readonly expiresAt: string;
      /** ISO 8601: the seat is held for the user until then, waiting for the connection. */
      readonly reservedUntil: string;
      readonly capacity: number;
      readonly active: number;
    }
  | {
      readonly kind: 'refused';
      readonly reason: RefusalReason;
      readonly message: string;
      readonly capacity?: number;
      readonly active?: number;
    };

/**
 * `POST /vonage/tokens`: admits a user to a room before they join (the article's better way) and
 * only then vends a Vonage client token. Who may join (ticket list or admission hook), whether
 * the room's time is up, the per-account limit and the room's capacity are checked; seats are
 * reserved with the engine's leases, so simultaneous requests never hand out more than capacity.
 */
export async function admitToRoom(request: RoomTokenRequest, deps: VonageDependencies): Promise<RoomAdmission> {
  const { config, seats } = deps;
  const policy = policyForRoom(config.policies, request.roomId);
  const now = deps.now();
  const roomScope = seats.roomScope(request.roomId);
  const refuse = async (
    reason: RefusalReason,
    message: string,
    extra: { active?: number } = {},
  ): Promise<RoomAdmission> => {
    deps.metrics.count('AdmissionsDenied');
    await emitRoomEvent(deps, 'Session Denied', {
      roomId: request.roomId,
      scope: roomScope.key,
      userId: request.userId,
      subject: `${request.userId}@${Math.floor(now / 1000)}`,
      reason,
      limit: policy.capacity,
      active: extra.active,
    });
    return { kind: 'refused', reason, message, capacity: policy.capacity, ...extra };
  };

  if (await seats.isEnded(request.roomId)) return refuse('room-ended', `room ${request.roomId} has ended`);
  const deadline = await seats.deadline(request.roomId, policy);
  if (deadline !== undefined && deadline <= now)
    return refuse('room-ended', `room ${request.roomId} has used its ${policy.durationSeconds} s`);

  const admission = await decideAdmission(request, policy, deps);
  if (!admission.allowed) return refuse(admission.reason, admission.message);

  const room = await roomRecord(request.roomId, deps);
  const reservationId = deps.newId();

  let accountSlot: number | undefined;
  const accountLimit = admission.accountLimit;
  const accountScope = seats.accountScope(request.userId);
  if (accountLimit > 0) {
    const held = await seats.reserve(accountScope, accountLimit, request.userId, reservationId);
    if ('full' in held) {
      return refuse(
        'account-limit',
        `you are already in ${held.full} room(s), the most allowed at once is ${accountLimit}`,
        { active: held.full },
      );
    }
    accountSlot = held.slot;
  }
  const seat = await seats.reserve(roomScope, policy.capacity, request.userId, reservationId);
  if ('full' in seat) {
    if (accountSlot !== undefined)
      await seats.cancelReservation(accountScope, request.userId, reservationId, accountSlot);
    return refuse(
      'room-full',
      `room ${request.roomId} is full (${policy.capacity} of ${policy.capacity} seats taken)`,
      { active: seat.full },
    );
  }

  const grant = issueClientToken(
    deps.vonage,
    room.sessionId,
    {
      v: 1,
      room: request.roomId,
      user: request.userId,
      role: admission.role,
      rsv: reservationId,
      slot: seat.slot,
      ...(accountSlot !== undefined ? { aslot: accountSlot } : {}),
    },
    policy,
    now,
    config.tokenTtlSeconds,
    deadline,
  );
  const occupants = await seats.occupants(roomScope, policy.capacity);
  const active = occupants.connections.length + occupants.reserved;
  deps.metrics.count('AdmissionsGranted');
  await emitRoomEvent(deps, 'Session Admitted', {
    roomId: request.roomId,
    scope: roomScope.key,
    userId: request.userId,
    subject: reservationId,
    limit: policy.capacity,
    active,
  });
  return {
    kind: 'admitted',
    token: grant.token,
    applicationId: config.applicationId,
    sessionId: room.sessionId,
    roomId: request.roomId,
    role: admission.role,
    vonageRole: grant.vonageRole,
    expiresAt: new Date(grant.expireTime * 1000).toISOString(),
    reservedUntil: new Date(now + seats.reservationSeconds * 1000).toISOString(),
    capacity: policy.capacity,
    active,
  };
}

const ROLE_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

type AdmissionDecision =
  | { allowed: true; role: string; accountLimit: number }
  | { allowed: false; reason: 'not-a-ticket-holder' | 'denied'; message: string };

/** Who may join: the room's ticket list in Momento first, then the admission hook if configured. */
async function decideAdmission(
  request: RoomTokenRequest,
  policy: ResolvedRoomPolicy,
  deps: VonageDependencies,
): Promise<AdmissionDecision> {
  const ticket = await deps.cache.get(vonageKeys.ticket(request.roomId, request.userId));
  const named = ticket?.trim() ?? '';
  // A role goes into the token data (1000 characters at most), so only a short plain name is taken.
  const role = ROLE_PATTERN.test(named) ? named : policy.defaultRole;
  if (named !== '' && role !== named)
    deps.logger.warn('ticket role ignored: not 1-64 letters, digits or ._-', { roomId: request.roomId });
  let accountLimit = deps.config.accountLimit;
  if (deps.hook) {
    const decision = await deps.hook.decide({
      accountId: request.userId,
      deviceId: 'vonage',
      contentId: request.roomId,
      kind: 'video',
      scope: deps.seats.roomScope(request.roomId).key,
      defaultLimit: accountLimit,
    });
    if (!decision.allow)
      return { allowed: false, reason: 'denied', message: decision.reason ?? 'the admission hook refused this user' };
    if (decision.limit !== undefined) accountLimit = decision.limit;
    // An allowing hook is a ticket source of its own.
    return { allowed: true, role, accountLimit };
  }
  if (policy.admission === 'tickets' && ticket === undefined) {
    return { allowed: false, reason: 'not-a-ticket-holder', message: `you have no ticket for room ${request.roomId}` };
  }
  return { allowed: true, role, accountLimit };
}

/** Vonage's REST API failed (the token route answers 503). */
export class VonageApiError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VonageApiError';
  }
}

/** The room's Vonage session, created on first use (a lost race adopts the winner's session). */
async function roomRecord(roomId: string, deps: VonageDependencies) {
  const existing = await deps.seats.room(roomId);
  if (existing) return existing;
  let sessionId: string;
  try {
    sessionId = await deps.vonage.createSession();
  } catch (error) {
    throw new VonageApiError(`createSession failed: ${errorMessage(error)}`);
  }
  return deps.seats.putRoomOnce(roomId, { sessionId, createdAt: deps.now() });
}
