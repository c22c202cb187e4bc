import { createHash } from 'node:crypto';
import { errors, jwtVerify } from 'jose';

/**
 * Vonage's signed callbacks: the request carries a JWT in its `Authorization` header, signed with
 * HS256 and the callback's signature secret. When the JWT has a `payload_hash` claim, it is the
 * SHA-256 of the body as sent (hex in Vonage's docs; base64 accepted too), so a body swapped
 * under a captured token is refused. `exp`/`nbf` are enforced by jose when present.
 */

export type SignatureCheck = { valid: true } | { valid: false; reason: string };

const CLOCK_TOLERANCE_SECONDS = 60;

/** Verifies `authorization` (a bare JWT or `Bearer <jwt>`) over `rawBody` with `secret`. */
export async function verifyCallbackSignature(
  authorization: string | undefined,
  rawBody: string,
  secret: string,
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
    }));
  } catch (error) {
    const reason = error instanceof errors.JOSEError ? error.code : 'malformed token';
    return { valid: false, reason };
  }
  const claimed = payload['payload_hash'];
  if (claimed !== undefined) {
    if (typeof claimed !== 'string' || !payloadHashMatches(claimed, rawBody)) {
      return { valid: false, reason: 'payload_hash does not match the body' };
    }
  }
  return { valid: true };
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
