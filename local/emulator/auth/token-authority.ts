import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { z } from 'zod';
import { statusError } from '../status-error';
import { SUPER_USER, scopeSchema, type Scope } from './permissions';

/** Who is calling, as established from the call's token. */
export interface Caller {
  readonly scope: Scope;
  /** The token id given when the token was minted; delivered to subscribers as the publisher id. */
  readonly tokenId?: string;
  /** Epoch seconds after which the token is refused; absent for tokens that never expire. */
  readonly expiresAt?: number;
}

/** The caller of local mode: no token at all, as with Momento's own local emulator. */
export const LOCAL_SUPER_USER: Caller = { scope: SUPER_USER };

const ISSUER = 'cdk-concurrency-tracker-emulator';
const claimsSchema = z.object({
  iss: z.literal(ISSUER),
  /** `d` for a disposable token, `k` for an API key minted by the emulator for tests. */
  t: z.enum(['d', 'k']),
  id: z.string().optional(),
  scope: scopeSchema,
  iat: z.number().int(),
  exp: z.number().int().optional(),
});
type Claims = z.infer<typeof claimsSchema>;

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
const MAX_REMEMBERED = 10_000;

const unauthenticated = (why: string) =>
  statusError(status.UNAUTHENTICATED, `Invalid signature or expired token: ${why}`);

/**
 * Mints and verifies the emulator's tokens. A token's api key is a JWT signed with HMAC-SHA256
 * under a secret only this emulator holds, so a device cannot forge or widen one. Verification is
 * synchronous (the call guard runs inline in every handler) and remembered per token string.
 */
export class TokenAuthority {
  private readonly secret: Buffer;
  private readonly verified = new Map<string, Caller>();

  constructor(secret: Buffer = randomBytes(32)) {
    this.secret = secret;
  }

  /** Signs an api key granting `scope`, valid for `validForSeconds` (undefined: never expires). */
  mintApiKey(options: { scope: Scope; tokenId?: string; validForSeconds?: number; kind?: 'disposable' | 'api-key' }): {
    apiKey: string;
    validUntil?: number;
  } {
    const iat = Math.floor(Date.now() / 1000);
    const exp = options.validForSeconds === undefined ? undefined : iat + options.validForSeconds;
    const claims: Claims = {
      iss: ISSUER,
      t: options.kind === 'api-key' ? 'k' : 'd',
      ...(options.tokenId !== undefined && options.tokenId !== '' ? { id: options.tokenId } : {}),
      scope: options.scope,
      iat,
      ...(exp !== undefined ? { exp } : {}),
    };
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    const signature = this.sign(`${HEADER}.${payload}`);
    return { apiKey: `${HEADER}.${payload}.${signature}`, ...(exp !== undefined ? { validUntil: exp } : {}) };
  }

  /**
   * The caller holding `apiKey`; an empty key is local mode's super user. Throws UNAUTHENTICATED
   * for a malformed, forged or expired key.
   */
  verify(apiKey: string): Caller {
    if (apiKey === '') return LOCAL_SUPER_USER;
    let caller = this.verified.get(apiKey);
    if (caller === undefined) {
      caller = this.verifySignature(apiKey);
      if (this.verified.size >= MAX_REMEMBERED) this.verified.clear();
      this.verified.set(apiKey, caller);
    }
    if (caller.expiresAt !== undefined && caller.expiresAt * 1000 <= Date.now()) throw unauthenticated('token expired');
    return caller;
  }

  private verifySignature(apiKey: string): Caller {
    const parts = apiKey.split('.');
    if (parts.length !== 3) throw unauthenticated('malformed token');
    const [header, payload, signature] = parts as [string, string, string];
    const expected = Buffer.from(this.sign(`${header}.${payload}`));
    const actual = Buffer.from(signature);
    if (header !== HEADER || expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
      throw unauthenticated('bad signature');
    }
    let claims: Claims;
    try {
      claims = claimsSchema.parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
    } catch {
      throw unauthenticated('malformed claims');
    }
    return {
      scope: claims.scope,
      ...(claims.id !== undefined ? { tokenId: claims.id } : {}),
      ...(claims.exp !== undefined ? { expiresAt: claims.exp } : {}),
    };
  }

  private sign(input: string): string {
    return createHmac('sha256', this.secret).update(input).digest('base64url');
  }
}

/**
 * The token string the SDK's `fromDisposableToken` reads: base64 of JSON with the api key and a
 * base endpoint (the SDK derives `cache.<endpoint>` and friends from it, so a local client passes
 * `endpointOverrides`).
 */
export function envelopeToken(apiKey: string, endpoint: string): string {
  return Buffer.from(JSON.stringify({ endpoint, api_key: apiKey })).toString('base64');
}
