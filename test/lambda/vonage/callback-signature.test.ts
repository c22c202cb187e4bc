import { SignJWT } from 'jose';
import {
  CALLBACK_MAX_AGE_SECONDS,
  payloadHash,
  verifyCallbackSignature,
} from '../../../lambda/vonage/callback-signature';

const SECRET = 'signature-secret';
const APP = 'c1a2b3c4-0000-4000-8000-00000000feed';
const BODY =
  '{"sessionId":"2_MX4x","event":"connectionCreated","timestamp":1470257688309,"connection":{"id":"c053fcc8"}}';
const NOW = new Date('2026-11-25T12:00:00Z');
const NOW_SECONDS = Math.floor(NOW.getTime() / 1000);

/** The claims Vonage signs into a callback, for BODY, issued now; each can be overridden or removed (undefined). */
function vonageClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const claims: Record<string, unknown> = {
    iat: NOW_SECONDS,
    jti: 'a8f1c2d3-jti',
    iss: 'Vonage',
    application_id: APP,
    payload_hash: payloadHash(BODY),
    ...overrides,
  };
  return Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined));
}

async function sign(
  claims: Record<string, unknown>,
  options: { secret?: string; alg?: 'HS256' | 'HS512' } = {},
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: options.alg ?? 'HS256' })
    .sign(new TextEncoder().encode(options.secret ?? SECRET));
}

const verify = (authorization: string | undefined, secret = SECRET) =>
  verifyCallbackSignature(authorization, BODY, secret, APP, NOW);

describe('verifyCallbackSignature', () => {
  it("accepts a recent HS256 JWT for this application whose payload_hash is the body's SHA-256, bare or as a Bearer token, and returns its jti", async () => {
    const jwt = await sign(vonageClaims());
    expect(await verify(`Bearer ${jwt}`)).toEqual({ valid: true, jti: 'a8f1c2d3-jti' });
    expect(await verify(jwt)).toEqual({ valid: true, jti: 'a8f1c2d3-jti' });
  });

  it('accepts a token issued up to the maximum age ago, and a clock a little ahead', async () => {
    expect((await verify(await sign(vonageClaims({ iat: NOW_SECONDS - CALLBACK_MAX_AGE_SECONDS + 5 })))).valid).toBe(
      true,
    );
    expect((await verify(await sign(vonageClaims({ iat: NOW_SECONDS + 30 })))).valid).toBe(true);
  });

  it.each([
    ['no header', async () => undefined],
    ['not a JWT', async () => 'Bearer abc'],
    ['another secret', async () => `Bearer ${await sign(vonageClaims(), { secret: 'other' })}`],
    ['another algorithm', async () => `Bearer ${await sign(vonageClaims(), { alg: 'HS512' })}`],
    [
      'a hash of another body',
      async () => `Bearer ${await sign(vonageClaims({ payload_hash: payloadHash(`${BODY} `) }))}`,
    ],
    ['a non-string hash', async () => `Bearer ${await sign(vonageClaims({ payload_hash: 42 }))}`],
    [
      'no payload_hash (any body would pass)',
      async () => `Bearer ${await sign(vonageClaims({ payload_hash: undefined }))}`,
    ],
    ['no iat (good forever)', async () => `Bearer ${await sign(vonageClaims({ iat: undefined }))}`],
    ['a token 400 days old', async () => `Bearer ${await sign(vonageClaims({ iat: NOW_SECONDS - 400 * 86400 }))}`],
    [
      'a token older than the maximum age',
      async () => `Bearer ${await sign(vonageClaims({ iat: NOW_SECONDS - CALLBACK_MAX_AGE_SECONDS - 120 }))}`,
    ],
    ['a token issued in the future', async () => `Bearer ${await sign(vonageClaims({ iat: NOW_SECONDS + 3600 }))}`],
    ['another application', async () => `Bearer ${await sign(vonageClaims({ application_id: 'another-app' }))}`],
    ['no application_id', async () => `Bearer ${await sign(vonageClaims({ application_id: undefined }))}`],
    ['no jti (a replay could not be recognised)', async () => `Bearer ${await sign(vonageClaims({ jti: undefined }))}`],
    ['a non-string jti', async () => `Bearer ${await sign(vonageClaims({ jti: 7 }))}`],
    ['an expired token', async () => `Bearer ${await sign(vonageClaims({ exp: NOW_SECONDS - 3600 }))}`],
    [
      'an unsigned token',
      async () =>
        `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(vonageClaims())).toString('base64url')}.`,
    ],
  ])('refuses %s', async (_name, header) => {
    const result = await verify(await header());
    expect(result.valid).toBe(false);
  });

  it('refuses everything when no secret is configured', async () => {
    expect((await verify(`Bearer ${await sign(vonageClaims())}`, '')).valid).toBe(false);
  });
});
