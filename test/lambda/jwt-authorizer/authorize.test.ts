import type { APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { JwtVerifier } from 'aws-jwt-verify';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { authorize, parseAuthorizerConfig, Unauthorized } from '../../../lambda/jwt-authorizer/authorize';

const ISSUER = 'https://login.example.com/';
const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/v1/POST/tokens';

const config = parseAuthorizerConfig({
  JWT_ISSUER: ISSUER,
  JWT_AUDIENCE: 'player, web',
  JWT_JWKS_URI: `${ISSUER}.well-known/jwks.json`,
  ACCOUNT_CLAIM: 'https://example.com/account',
});

type Keys = Awaited<ReturnType<typeof generateKeyPair>>;
let keys: Keys;
let otherKeys: Keys;
let check: (jwt: string) => Promise<Record<string, unknown>>;

beforeAll(async () => {
  keys = await generateKeyPair('RS256');
  otherKeys = await generateKeyPair('RS256');
  const verifier = JwtVerifier.create({
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    jwksUri: config.JWT_JWKS_URI,
  });
  // The issuer's key set, preloaded so the test needs no network.
  verifier.cacheJwks({
    keys: [{ ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }],
  } as never);
  check = async (jwt) => (await verifier.verify(jwt)) as Record<string, unknown>;
});

async function token(
  claims: Record<string, unknown>,
  options: { issuer?: string; audience?: string; expiresIn?: string; key?: Keys; kid?: string } = {},
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? 'k1' })
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? 'player')
    .setSubject('user-1')
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '5m')
    .sign((options.key ?? keys).privateKey);
}

function event(authorizationToken: string): APIGatewayTokenAuthorizerEvent {
  return { type: 'TOKEN', authorizationToken, methodArn: METHOD_ARN };
}

describe('JWT authoriser', () => {
  test('allows a valid token on the whole stage and passes the account claim under its own name', async () => {
    const jwt = await token({ 'https://example.com/account': 'acct-42' });
    const result = await authorize(event(`Bearer ${jwt}`), config, check);
    expect(result.principalId).toBe('user-1');
    expect(result.policyDocument.Statement).toEqual([
      {
        Action: 'execute-api:Invoke',
        Effect: 'Allow',
        Resource: 'arn:aws:execute-api:eu-west-1:123456789012:abc123/v1/*',
      },
    ]);
    expect(result.context).toEqual({ 'https://example.com/account': 'acct-42' });
  });

  test('accepts any configured audience and a numeric account claim', async () => {
    const jwt = await token({ 'https://example.com/account': 42 }, { audience: 'web' });
    const result = await authorize(event(`Bearer ${jwt}`), config, check);
    expect(result.context).toEqual({ 'https://example.com/account': '42' });
  });

  test('denies (403) a valid token without the account claim', async () => {
    const jwt = await token({ other: 'x' });
    const result = await authorize(event(`Bearer ${jwt}`), config, check);
    expect(result.policyDocument.Statement[0]).toMatchObject({ Effect: 'Deny' });
    expect(result.context).toBeUndefined();
  });

  test.each<[string, () => Promise<string>]>([
    ['no bearer prefix', async () => token({ 'https://example.com/account': 'a' })],
    ['empty header', async () => 'Bearer '],
    [
      'another issuer',
      async () =>
        `Bearer ${await token({ 'https://example.com/account': 'a' }, { issuer: 'https://evil.example.com/' })}`,
    ],
    [
      'another audience',
      async () => `Bearer ${await token({ 'https://example.com/account': 'a' }, { audience: 'admin' })}`,
    ],
    ['expired', async () => `Bearer ${await token({ 'https://example.com/account': 'a' }, { expiresIn: '-1m' })}`],
    [
      'signed by another key',
      async () => `Bearer ${await token({ 'https://example.com/account': 'a' }, { key: otherKeys })}`,
    ],
    ['garbage', async () => 'Bearer not.a.jwt'],
  ])('refuses (401) a token with %s', async (_name, header) => {
    await expect(authorize(event(await header()), config, check)).rejects.toThrow(Unauthorized);
    await expect(authorize(event(await header()), config, check)).rejects.toThrow(/^Unauthorized$/);
  });

  test('a bad configuration names what is wrong', () => {
    expect(() =>
      parseAuthorizerConfig({
        JWT_ISSUER: 'nope',
        JWT_AUDIENCE: 'a',
        JWT_JWKS_URI: 'https://x/jwks',
        ACCOUNT_CLAIM: 'sub',
      }),
    ).toThrow(/JWT_ISSUER/);
    expect(() =>
      parseAuthorizerConfig({ JWT_ISSUER: 'https://x', JWT_AUDIENCE: 'a', JWT_JWKS_URI: 'https://x/jwks' }),
    ).toThrow(/ACCOUNT_CLAIM/);
  });
});
