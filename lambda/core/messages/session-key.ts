import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { ID_PATTERN_HINTS, ID_PATTERNS } from '../../../contract/identifiers';

/**
 * The per-session key: proof that a heartbeat or stop comes from the device a session was granted
 * to. Every device of an account holds the same device token (one per account, because of
 * Momento's auth limits), so the token id proves the account only. The key is
 * HMAC-SHA256(server secret, account, session, device), base64url: token vending returns it in
 * the 201 of `POST /tokens` to that device alone, the device sends it with every message, and the
 * subscriber recomputes it, with no cache read. Nothing else (409, entitlement list, logs) shows it.
 */

/** 32 bytes of HMAC-SHA256 in base64url without padding. */
export const SESSION_KEY_PATTERN = new RegExp(ID_PATTERNS.sessionKey);

export const sessionKeySchema = z.string().regex(SESSION_KEY_PATTERN, ID_PATTERN_HINTS.sessionKey);

/** A secret shorter than this is refused: the key is only as strong as the secret. */
export const MIN_SESSION_KEY_SECRET_LENGTH = 32;

/** What a session key is bound to. */
export interface SessionKeyIds {
  readonly accountId: string;
  readonly sessionId: string;
  readonly deviceId: string;
}

/** Derives and checks session keys under one server secret. */
export class SessionKeys {
  private readonly secret: Buffer;

  constructor(secret: string) {
    if (secret.length < MIN_SESSION_KEY_SECRET_LENGTH) {
      throw new Error(`the session key secret must be at least ${MIN_SESSION_KEY_SECRET_LENGTH} characters`);
    }
    this.secret = Buffer.from(secret, 'utf8');
  }

  derive(ids: SessionKeyIds): string {
    return this.mac(ids).toString('base64url');
  }

  /** Whether `key` is the key of these ids; constant time in the key's content. */
  verify(ids: SessionKeyIds, key: string | undefined): boolean {
    if (key === undefined || !SESSION_KEY_PATTERN.test(key)) return false;
    return timingSafeEqual(this.mac(ids), Buffer.from(key, 'base64url'));
  }

  private mac(ids: SessionKeyIds): Buffer {
    // JSON of a tagged tuple: unambiguous whatever characters the ids hold.
    return createHmac('sha256', this.secret)
      .update(JSON.stringify(['ct-session-key-v1', ids.accountId, ids.sessionId, ids.deviceId]))
      .digest();
  }
}

let processSecret: string | undefined;

/**
 * The secret of local runs (emulator, playground, tests) that name none: random, made once per
 * process, so the token vending and the subscriber running in one process agree. A process that
 * runs either in a child process must pass an explicit `SESSION_KEY_SECRET` to both.
 */
export function processSessionKeySecret(): string {
  processSecret ??= randomBytes(32).toString('base64url');
  return processSecret;
}
