import type { APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { JwtVerifier } from 'aws-jwt-verify';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type KeyLike } from 'jose';
import { authorize, parseAuthorizerConfig, Unauthorized } from '../../lambda/jwt-authorizer/authorize';
import { recordFigures } from './figures';

// Under JWT authorisation the account is whatever the *verified* claim says, and nothing else:
// each forged, expired or tampered token must be refused by the real verifier the Lambda uses.
const ISSUER = 'https://issuer.reliability.example/';
const AUDIENCE = 'concurrency-tracker';
const CLAIM = 'custom:accountId';
const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:api123/prod/POST/tokens';
const config = parseAuthorizerConfig({
  JWT_ISSUER: ISSUER,
  JWT_AUDIENCE: AUDIENCE,
  JWT_JWKS_URI: `${ISSUER}.well-known/jwks.json`,
  ACCOUNT_CLAIM: CLAIM,
});

let signingKey: KeyLike;
let publicJwk: JWK;
let strangerKey: KeyLike;
let check: (jwt: string) => Promise<Record<string, unknown>>;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  signingKey = pair.privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  strangerKey = (await generateKeyPair('RS256')).privateKey;
  const verifier = JwtVerifier.create({ issuer: ISSUER, audience: AUDIENCE, jwksUri: config.JWT_JWKS_URI });
  // The JWKS is preloaded, so no request leaves the machine; verification is the library's own.
  verifier.cacheJwks({ keys: [publicJwk as never] });
  check = async (jwt) => (await verifier.verify(jwt)) as Record<string, unknown>;
});

interface TokenOptions {
  readonly claims?: Record<string, unknown>;
  readonly issuer?: string;
  readonly audience?: string;
  readonly expiresAt?: number;
  readonly notBefore?: number;
  readonly key?: KeyLike;
  readonly kid?: string;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

async function token(options: TokenOptions = {}): Promise<string> {
  const jwt = new SignJWT({ sub: 'user-1', [CLAIM]: 'acct-owner', ...options.claims })
    .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? 'k1' })
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(options.expiresAt ?? nowSeconds() + 600);
  if (options.notBefore !== undefined) jwt.setNotBefore(options.notBefore);
  return jwt.sign(options.key ?? signingKey);
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

const event = (authorizationToken: string): APIGatewayTokenAuthorizerEvent => ({
  type: 'TOKEN',
  authorizationToken,
  methodArn: METHOD_ARN,
});

describe('JWT authorisation: the account comes only from the verified claim', () => {
  it('a valid token is allowed and carries exactly its claim as the account', async () => {
    const result = await authorize(event(`Bearer ${await token()}`), config, check);
    expect(result.policyDocument.Statement[0]).toMatchObject({ Effect: 'Allow' });
    expect(result.context).toEqual({ [CLAIM]: 'acct-owner' });
  });

  const refused: Array<[string, () => Promise<string>]> = [
    ['an expired token', async () => `Bearer ${await token({ expiresAt: nowSeconds() - 5 })}`],
    ['a token not valid yet', async () => `Bearer ${await token({ notBefore: nowSeconds() + 600 })}`],
    ['another issuer', async () => `Bearer ${await token({ issuer: 'https://evil.example/' })}`],
    ['another audience', async () => `Bearer ${await token({ audience: 'someone-else' })}`],
    ['signed with a stranger key under our kid', async () => `Bearer ${await token({ key: strangerKey })}`],
    ['an unknown kid', async () => `Bearer ${await token({ kid: 'k2' })}`],
    [
      'a claim rewritten after signing',
      async () => {
        const [header, , signature] = (await token()).split('.');
        const forged = b64({
          sub: 'user-1',
          [CLAIM]: 'acct-victim',
          iss: ISSUER,
          aud: AUDIENCE,
          exp: nowSeconds() + 600,
        });
        return `Bearer ${header}.${forged}.${signature}`;
      },
    ],
    [
      'alg none',
      async () =>
        `Bearer ${b64({ alg: 'none', kid: 'k1' })}.${b64({ sub: 'u', [CLAIM]: 'acct-victim', iss: ISSUER, aud: AUDIENCE, exp: nowSeconds() + 600 })}.`,
    ],
    [
      'HS256 keyed with the public key (algorithm confusion)',
      async () => {
        const secret = new TextEncoder().encode(JSON.stringify(publicJwk));
        const jwt = await new SignJWT({ sub: 'u', [CLAIM]: 'acct-victim' })
          .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .setExpirationTime(nowSeconds() + 600)
          .sign(secret);
        return `Bearer ${jwt}`;
      },
    ],
    ['no Bearer prefix', async () => token()],
    ['an empty header', async () => ''],
    ['garbage', async () => 'Bearer not.a.jwt'],
  ];

  it.each(refused)('%s is refused with 401 (Unauthorized)', async (_, header) => {
    await expect(authorize(event(await header()), config, check)).rejects.toBeInstanceOf(Unauthorized);
  });

  it('a valid token without the account claim is denied, and names no account', async () => {
    const jwt = await token({ claims: { [CLAIM]: undefined } });
    const result = await authorize(event(`Bearer ${jwt}`), config, check);
    expect(result.policyDocument.Statement[0]).toMatchObject({ Effect: 'Deny' });
    expect(result.context).toBeUndefined();
  });

  it('claims other than the configured one never become the account', async () => {
    const jwt = await token({ claims: { accountId: 'acct-victim', sub: 'acct-victim', account: 'acct-victim' } });
    const result = await authorize(event(`Bearer ${jwt}`), config, check);
    expect(result.context).toEqual({ [CLAIM]: 'acct-owner' });
    recordFigures({
      id: 'jwt-claim-authority',
      promise:
        'Under JWT authorisation the account comes only from the verified claim; expired, forged and tampered tokens are refused.',
      test: 'test/reliability/jwt-claim-authority.test.ts',
      figures: { 'forged or invalid tokens refused': refused.length, 'tokens accepted with another account': 0 },
    });
  });
});
