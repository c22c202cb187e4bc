import { CredentialProvider } from '@gomomento/sdk';
import { MomentoKeyError } from './momento-key-error';

/**
 * The kinds of long-lived Momento API key:
 * - `v2`: what the Momento console creates now; a JWT whose `t` claim is `g`, without its endpoint;
 * - `v1`: base64 of `{ "api_key": ..., "endpoint": ... }`, carrying its endpoint;
 * - `legacy-jwt`: the oldest keys, a JWT with the control (`cp`) and cache (`c`) endpoints as claims.
 */
export type MomentoKeyKind = 'v2' | 'v1' | 'legacy-jwt';

function jsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

const BASE64URL_SEGMENT = /^[A-Za-z0-9_-]+={0,2}$/;

/**
 * Tells the key kinds apart by their shape, as the SDK does (`decodeAuthToken`, `isV2ApiKey` in
 * @gomomento/sdk-core), without checking a signature; undefined when the text is none of them.
 */
export function momentoKeyKind(key: string): MomentoKeyKind | undefined {
  // The SDK's test for a v1 key: the text is canonical base64.
  if (Buffer.from(Buffer.from(key, 'base64').toString('utf8'), 'utf8').toString('base64') === key) {
    const v1 = jsonObject(Buffer.from(key, 'base64').toString('utf8'));
    return typeof v1?.api_key === 'string' && typeof v1.endpoint === 'string' && v1.api_key !== '' && v1.endpoint !== ''
      ? 'v1'
      : undefined;
  }
  const segments = key.split('.');
  if (segments.length !== 3 || !segments.every((segment) => BASE64URL_SEGMENT.test(segment))) return undefined;
  const claims = jsonObject(Buffer.from(segments[1], 'base64url').toString('utf8'));
  if (claims?.t === 'g') return 'v2';
  if (typeof claims?.cp === 'string' && typeof claims.c === 'string') return 'legacy-jwt';
  return undefined;
}

/** Which of the two keys: named in messages by what it is and the construct prop holding it. */
export type MomentoKeyRole = 'data' | 'auth';

const KEY_NAMES: Record<MomentoKeyRole, { readonly label: string; readonly secretProp: string }> = {
  data: { label: 'Momento data key', secretProp: 'dataKeySecret' },
  auth: { label: 'Momento auth key', secretProp: 'authKeySecret' },
};

/**
 * The SDK credential provider for one long-lived key. A v2 key connects to `endpoint` (the
 * construct's `momentoEndpoint`, `MOMENTO_ENDPOINT` at run time); a v1 or legacy JWT key connects
 * to the endpoints it carries, whatever `endpoint` says. Every failure is a {@link MomentoKeyError}
 * that names the key and the prop to fix, and never contains key material.
 */
export function momentoCredentialProvider(
  key: string,
  endpoint: string | undefined,
  role: MomentoKeyRole,
): CredentialProvider {
  const { label, secretProp } = KEY_NAMES[role];
  const kind = momentoKeyKind(key);
  if (kind === undefined) {
    throw new MomentoKeyError(
      `the ${label} is not a Momento API key (neither a v2 API key nor a legacy v1 or JWT key with its endpoints): ` +
        `create an API key in the Momento console and put it in the ${secretProp} secret as it is shown, without quotes or JSON`,
    );
  }
  if (kind === 'v2' && !endpoint) {
    throw new MomentoKeyError(
      `the ${label} is a v2 API key, which does not carry its endpoint: set the construct's momentoEndpoint prop ` +
        "(MOMENTO_ENDPOINT) to the endpoint of the cache's region, e.g. cell-4-us-west-2-1.prod.a.momentohq.com " +
        '(listed at https://docs.momentohq.com/platform/regions)',
    );
  }
  try {
    // fromString is the SDK's reader for the legacy kinds (deprecated only in favour of v2 keys).
    return kind === 'v2'
      ? CredentialProvider.fromApiKeyV2({ apiKey: key, endpoint: endpoint! })
      : CredentialProvider.fromString({ apiKey: key });
  } catch (error) {
    // The SDK's message may quote the key's claims; only its class is kept.
    throw new MomentoKeyError(
      `the ${label} (a ${kind} key) was refused by the Momento SDK: ${error instanceof Error ? error.name : 'error'}`,
    );
  }
}
