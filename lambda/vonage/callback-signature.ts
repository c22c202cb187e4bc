import { createHash } from 'node:crypto';
import { errors, jwtVerify } from 'jose';

/**
 * Vonage's signed callbacks: the request carries a JWT in its `Authorization` header, signed with
 * HS256 and the callback's signature secret, with the claims `iat`, `jti`, `application_id` and
 * `payload_hash` (the SHA-256 of the body as sent; hex in Vonage's docs, base64 accepted too).
 * All four are required: without `payload_hash` any body would pass under a captured token,
 * without `iat` a token would be good forever, another `application_id` is another
 * application's callback, and `jti` is what makes a replay within the maximum age detectable
 * (the caller remembers it: {@link CALLBACK_MAX_AGE_SECONDS}). `exp`/`nbf` are enforced when present.
 */

export type SignatureCheck = { valid: true; jti: string } | { valid: false; reason: string };

/** How old a callback's token (`iat`) may be; its `jti` is remembered at least this long. */
export const CALLBACK_MAX_AGE_SECONDS = 300;

const CLOCK_TOLERANCE_SECONDS = 60;

/** How long a `jti` must be remembered: the maximum age plus the clock tolerance on both sides. */
export const CALLBACK_JTI_SECONDS = CALLBACK_MAX_AGE_SECONDS + 2 * CLOCK_TOLERANCE_SECONDS;

/** Verifies `authorization` (a bare JWT or `Bearer <jwt>`) over `rawBody` with `secret`, for `applicationId`. */
export async function verifyCallbackSignature(
  authorization: string | undefined,
  rawBody: string,
  secret: string,
  applicationId: string,
  now: Date = new Date(),
): Promise<SignatureCheck> {
  if (!secret) return { valid: false, reason: 'no signature secret configured' };
  const jwt = bearerToken(authorization);
  if (!jwt) return { valid: false, reason: 'missing Authorization header' };
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(jwt, new TextEncoder().encode(secret), {
      algorithms: ['HS256'],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      currentDate: now,
      maxTokenAge: CALLBACK_MAX_AGE_SECONDS,
      requiredClaims: ['iat', 'jti', 'application_id', 'payload_hash'],
    }));
  } catch (error) {
    const reason = error instanceof errors.JOSEError ? error.code : 'malformed token';
    return { valid: false, reason };
  }
  // jose checks that iat is not older than the maximum age; one from the future is refused too.
  if (typeof payload.iat !== 'number' || payload.iat > now.getTime() / 1000 + CLOCK_TOLERANCE_SECONDS) {
    return { valid: false, reason: 'iat is in the future' };
  }
  if (payload.application_id !== applicationId)
    return { valid: false, reason: 'application_id is not this application' };
  const claimed = payload.payload_hash;
  if (typeof claimed !== 'string' || !payloadHashMatches(claimed, rawBody)) {
    return { valid: false, reason: 'payload_hash does not match the body' };
  }
  const jti = payload.jti;
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > 256)
    return { valid: false, reason: 'jti is not a string of 1-256 characters' };
  return { valid: true, jti };
}

function bearerToken(authorization: string | undefined): string | null {
  if (!authorization) return null;
  const trimmed = authorization.trim();
  const match = /^Bearer\s+(.+)$/i.exec(trimmed);
  const token = match ? match[1].trim() : trimmed;
  return token.split('.').length === 3 ? token : null;
}

function payloadHashMatches(claimed: string, rawBody: string): boolean {
  const digest = createHash('sha256').update(rawBody, 'utf8').digest();
  const candidates = [digest.toString('hex'), digest.toString('base64'), digest.toString('base64url')];
  return candidates.includes(claimed) || candidates[0] === claimed.toLowerCase();
}

/** The SHA-256 hex of a body, as Vonage puts it in `payload_hash` (tests sign with it). */
export function payloadHash(rawBody: string): string {
  return createHash('sha256').update(rawBody, 'utf8').digest('hex');
}
