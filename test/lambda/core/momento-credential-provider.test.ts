import { randomBytes, randomUUID } from 'node:crypto';
import { parseRuntimeConfig } from '../../../lambda/core/runtime/config';
import { momentoCredentialProvider, momentoKeyKind } from '../../../lambda/core/adapters/momento-credential-provider';
import { loadMomentoKeys, MomentoKeyError } from '../../../lambda/core/adapters/momento-credentials';
import { createMomentoPorts, momentoCredentials } from '../../../lambda/core/adapters/momento-clients';

// Keys shaped like Momento's (built here with random signatures; none is a real key).
const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const fakeJwt = (claims: object) =>
  `${base64url({ alg: 'HS512', typ: 'JWT' })}.${base64url(claims)}.${randomBytes(64).toString('base64url')}`;
/** What the console creates now: a JWT with `t: "g"` and no endpoint. */
const v2Key = () => fakeJwt({ t: 'g', jti: randomUUID(), iat: 1_760_000_000 });
const V1_ENDPOINT = 'cell-1-eu-west-1-1.prod.a.momentohq.com';
const v1Inner = fakeJwt({ sub: 'ops@example.com', ver: 1, p: randomBytes(24).toString('base64url') });
/** The v1 format: base64 of `{ api_key, endpoint }`. */
const v1Key = Buffer.from(JSON.stringify({ api_key: v1Inner, endpoint: V1_ENDPOINT })).toString('base64');
/** The oldest format: a JWT with the control and cache endpoints as claims. */
const legacyJwt = fakeJwt({
  sub: 'ops@example.com',
  cp: 'control.cell-us-east-1-1.prod.a.momentohq.com',
  c: 'cache.cell-us-east-1-1.prod.a.momentohq.com',
});
const ENDPOINT = 'cell-4-us-west-2-1.prod.a.momentohq.com';

/** A thrown error's message, which must name no part of the key. */
function refusal(build: () => unknown, key: string): string {
  let thrown: unknown;
  try {
    build();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(MomentoKeyError);
  const message = (thrown as Error).message;
  for (const part of [key, ...key.split('.').filter((p) => p.length > 8)]) expect(message).not.toContain(part);
  return message;
}

describe('momentoKeyKind', () => {
  it('tells the three kinds of key apart and refuses anything else', () => {
    expect(momentoKeyKind(v2Key())).toBe('v2');
    expect(momentoKeyKind(v1Key)).toBe('v1');
    expect(momentoKeyKind(legacyJwt)).toBe('legacy-jwt');
    for (const malformed of [
      '',
      'not a key',
      v1Inner,
      Buffer.from('{"api_key":"x"}').toString('base64'),
      `"${v2Key()}"`,
      'a.b',
      fakeJwt({ t: 'x' }),
    ]) {
      expect(momentoKeyKind(malformed)).toBeUndefined();
    }
  });
});

describe('the SDK credential provider built for each kind of key', () => {
  it('connects a v2 key to the configured endpoint and sends the key as it is', () => {
    const key = v2Key();
    const provider = momentoCredentialProvider(key, ENDPOINT, 'data');
    expect(provider.getCacheEndpoint()).toBe(`cache.${ENDPOINT}`);
    expect(provider.getControlEndpoint()).toBe(`control.${ENDPOINT}`);
    expect(provider.getTokenEndpoint()).toBe(`token.${ENDPOINT}`);
    expect(provider.isCacheEndpointSecure()).toBe(true);
    expect(provider.getAuthToken()).toBe(key);
  });

  it('connects a v1 key to the endpoint it carries, with or without a configured endpoint', () => {
    for (const endpoint of [undefined, ENDPOINT]) {
      const provider = momentoCredentialProvider(v1Key, endpoint, 'data');
      expect(provider.getCacheEndpoint()).toBe(`cache.${V1_ENDPOINT}`);
      expect(provider.getTokenEndpoint()).toBe(`token.${V1_ENDPOINT}`);
      expect(provider.getAuthToken()).toBe(v1Inner);
    }
  });

  it('connects a legacy JWT key to the endpoints in its claims', () => {
    const provider = momentoCredentialProvider(legacyJwt, undefined, 'data');
    expect(provider.getControlEndpoint()).toBe('control.cell-us-east-1-1.prod.a.momentohq.com');
    expect(provider.getCacheEndpoint()).toBe('cache.cell-us-east-1-1.prod.a.momentohq.com');
    expect(provider.getAuthToken()).toBe(legacyJwt);
  });

  it('refuses a v2 key without an endpoint, naming the momentoEndpoint prop and not the key', () => {
    const key = v2Key();
    const message = refusal(() => momentoCredentialProvider(key, undefined, 'auth'), key);
    expect(message).toMatch(/Momento auth key is a v2 API key/);
    expect(message).toMatch(/momentoEndpoint/);
  });

  it.each([
    ['a JWT without endpoints', fakeJwt({ sub: 'ops@example.com' })],
    ['a key pasted as JSON', JSON.stringify({ apiKey: v2Key() })],
    ['a key in quotes', `"${v2Key()}"`],
    ['base64 without an endpoint', Buffer.from(JSON.stringify({ api_key: v1Inner })).toString('base64')],
  ])('refuses %s without echoing it', (_name, key) => {
    expect(refusal(() => momentoCredentialProvider(key, ENDPOINT, 'data'), key)).toMatch(
      /Momento data key is not a Momento API key.*in the dataKeySecret secret/,
    );
  });
});

describe('momentoCredentials and createMomentoPorts', () => {
  const config = (env: Record<string, string> = {}) => parseRuntimeConfig({ CACHE_NAME: 'tracker', ...env });

  it('gives the auth client that mints device tokens the v2 auth key and the token endpoint', () => {
    const dataKey = v2Key();
    const authKey = v2Key();
    const credentials = momentoCredentials(config({ MOMENTO_ENDPOINT: ENDPOINT }), { dataKey, authKey });
    expect(credentials.data.getAuthToken()).toBe(dataKey);
    expect(credentials.data.getCacheEndpoint()).toBe(`cache.${ENDPOINT}`);
    expect(credentials.auth?.getAuthToken()).toBe(authKey);
    expect(credentials.auth?.getTokenEndpoint()).toBe(`token.${ENDPOINT}`);
  });

  it('still mints with a legacy auth key beside a v2 data key', () => {
    const credentials = momentoCredentials(config({ MOMENTO_ENDPOINT: ENDPOINT }), {
      dataKey: v2Key(),
      authKey: v1Key,
    });
    expect(credentials.auth?.getTokenEndpoint()).toBe(`token.${V1_ENDPOINT}`);
    expect(credentials.auth?.getAuthToken()).toBe(v1Inner);
  });

  it('fails at start when the subscriber gets a v2 key and no endpoint', async () => {
    const key = v2Key();
    const subscriber = config({ MOMENTO_DATA_KEY: key, SUBSCRIBER_SHARDS: '0' });
    const keys = await loadMomentoKeys(subscriber);
    expect(refusal(() => createMomentoPorts(subscriber, keys), key)).toMatch(/momentoEndpoint/);
  });

  it('builds the clients from a v2 key with the endpoint, and from a legacy key without', () => {
    createMomentoPorts(config({ MOMENTO_ENDPOINT: ENDPOINT }), { dataKey: v2Key(), authKey: v2Key() }).close();
    createMomentoPorts(config(), { dataKey: v1Key, authKey: legacyJwt }).close();
  });

  it('needs no key in local runs', () => {
    const credentials = momentoCredentials(config({ MOMENTO_LOCAL_ENDPOINT: '127.0.0.1:9090' }));
    expect(credentials.data.getCacheEndpoint()).toBe('127.0.0.1:9090');
    expect(credentials.auth?.getTokenEndpoint()).toBe('127.0.0.1:9090');
  });
});
