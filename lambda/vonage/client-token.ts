import { encodeTokenData, type TokenData } from './callback-event';
import { mayPublishAnything, type ResolvedRoomPolicy } from './room-policy';
import type { VonageEnforcement } from './vonage-enforcement';

export interface ClientTokenGrant {
  readonly token: string;
  /** Epoch seconds. */
  readonly expireTime: number;
  /** The Vonage role in the token: `subscriber` when the user's role may publish nothing. */
  readonly vonageRole: 'publisher' | 'subscriber';
}

/**
 * A Vonage client token for one room, signed locally with the application's private key. Its
 * data carries the room, user, role and reservation, so the `connectionCreated` callback (signed
 * by Vonage, echoing this data) turns the reservation into the connection's seat. Its lifetime
 * is at most `maxSeconds` and never past the room's deadline.
 */
export function issueClientToken(
  vonage: VonageEnforcement,
  sessionId: string,
  data: TokenData,
  policy: ResolvedRoomPolicy,
  nowMs: number,
  maxSeconds: number,
  deadlineMs?: number,
): ClientTokenGrant {
  const nowSeconds = Math.floor(nowMs / 1000);
  const untilDeadline = deadlineMs === undefined ? Infinity : Math.floor((deadlineMs - nowMs) / 1000);
  const untilRoomEnds = policy.durationSeconds > 0 ? policy.durationSeconds : Infinity;
  const lifetime = Math.max(1, Math.min(maxSeconds, untilDeadline, untilRoomEnds));
  const vonageRole = mayPublishAnything(policy, data.role) ? 'publisher' : 'subscriber';
  const expireTime = nowSeconds + lifetime;
  const token = vonage.clientToken(sessionId, {
    role: vonageRole,
    data: encodeTokenData({ ...data, exp: expireTime }),
    expireTime,
  });
  return { token, expireTime, vonageRole };
}
