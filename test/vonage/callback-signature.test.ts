import { SignJWT } from 'jose';
import { payloadHash, verifyCallbackSignature } from '../../lambda/vonage/callback-signature';

const SECRET = 'signature-secret';
const BODY = '{"sessionId":"2_MX4x","event":"connectionCreated","timestamp":1470257688309,"connection":{"id":"c053fcc8"}}';
const NOW = new Date('2026-11-25T12:00:00Z');

async function sign(claims: Record<string, unknown>, options: { secret?: string; alg?: 'HS256' | 'HS512'; exp?: number } = {}): Promise<string> {
  let jwt = new SignJWT(claims).setProtectedHeader({ alg: options.alg ?? 'HS256' }).setIssuedAt(Math.floor(NOW.getTime() / 1000));
  if (options.exp !== undefined) jwt = jwt.setExpirationTime(options.exp);
  return jwt.sign(new TextEncoder().encode(options.secret ?? SECRET));
}

describe('verifyCallbackSignature', () => {
  it('accepts an HS256 JWT signed with the secret whose payload_hash is the body\'s SHA-256, bare or as a Bearer token', async () => {
    const jwt = await sign({ payload_hash: payloadHash(BODY) });
    expect(await verifyCallbackSignature(`Bearer ${jwt}`, BODY, SECRET, NOW)).toEqual({ valid: true });
    expect(await verifyCallbackSignature(jwt, BODY, SECRET, NOW)).toEqual({ valid: true });
  });

  it('accepts a signed JWT without payload_hash (the claim is optional in Vonage\'s scheme)', async () => {
    expect(await verifyCallbackSignature(await sign({}), BODY, SECRET, NOW)).toEqual({ valid: true });
  });

  it.each([
    ['no header', async () => undefined],
    ['not a JWT', async () => 'Bearer abc'],
    ['another secret', async () => `Bearer ${await sign({ payload_hash: payloadHash(BODY) }, { secret: 'other' })}`],
    ['another algorithm', async () => `Bearer ${await sign({ payload_hash: payloadHash(BODY) }, { alg: 'HS512' })}`],
    ['a hash of another body', async () => `Bearer ${await sign({ payload_hash: payloadHash(`${BODY} `) })}`],
    ['a non-string hash', async () => `Bearer ${await sign({ payload_hash: 42 })}`],
    ['an expired token', async () => `Bearer ${await sign({}, { exp: Math.floor(NOW.getTime() / 1000) - 3600 })}`],
    ['an unsigned token', async () => `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{}').toString('base64url')}.`],
  ])('refuses %s', async (_name, header) => {
    const result = await verifyCallbackSignature(await header(), BODY, SECRET, NOW);
    expect(result.valid).toBe(false);
  });

  it('refuses everything when no secret is configured', async () => {
    expect((await verifyCallbackSignature(`Bearer ${await sign({})}`, BODY, '', NOW)).valid).toBe(false);
  });
});
