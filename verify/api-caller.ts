import { errorMessage } from '../client/error-message';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@smithy/types';

/** One answer of the tracker's API. */
export interface ApiAnswer {
  readonly status: number;
  /** The parsed JSON body; undefined when the body was empty or not JSON. */
  readonly body: unknown;
  /** The body as received (for messages when it is not JSON). */
  readonly text: string;
}

/** Calls a route of the tracker's API, authenticated the way the deployment expects. */
export type ApiCaller = (method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown) => Promise<ApiAnswer>;

/** How the caller proves who it is. */
export type ApiAuth =
  | { readonly kind: 'sigv4'; readonly region: string; readonly credentials?: AwsCredentialIdentityProvider }
  | { readonly kind: 'jwt'; readonly token: string };

/** The credentials could not be found or the request could not be signed (no request was sent). */
export class SigningError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SigningError';
  }
}

/**
 * The region of an API Gateway URL (`https://<id>.execute-api.<region>.amazonaws.com/<stage>/`);
 * undefined for a custom domain or a local URL.
 */
export function regionOfApiUrl(url: URL): string | undefined {
  return /^[a-z0-9]+\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/.exec(url.hostname)?.[1];
}

/**
 * An {@link ApiCaller} for the API at `baseUrl` (its stage path included). Under `sigv4` each
 * request is signed for `execute-api` with the caller's credentials from the AWS SDK's default
 * chain (environment, profile, SSO, container or instance role), as API Gateway's IAM
 * authorisation checks them; under `jwt` it carries `Authorization: Bearer <token>`.
 */
export function createApiCaller(baseUrl: URL, auth: ApiAuth, fetchFn: typeof fetch = fetch): ApiCaller {
  const signer =
    auth.kind === 'sigv4'
      ? new SignatureV4({
          service: 'execute-api',
          region: auth.region,
          credentials: auth.credentials ?? defaultProvider(),
          sha256: Sha256,
        })
      : undefined;
  const base = baseUrl.href.endsWith('/') ? baseUrl.href : `${baseUrl.href}/`;

  return async (method, path, body) => {
    const url = new URL(path.replace(/^\/+/, ''), base);
    const text = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { host: url.host, accept: 'application/json' };
    if (text !== undefined) headers['content-type'] = 'application/json';
    if (auth.kind === 'jwt') headers.authorization = `Bearer ${auth.token}`;
    if (signer) {
      const query: Record<string, string> = {};
      for (const [name, value] of url.searchParams) query[name] = value;
      let signed: { headers: Record<string, string> };
      try {
        signed = await signer.sign({
          method,
          protocol: url.protocol,
          hostname: url.hostname,
          port: url.port ? Number(url.port) : undefined,
          path: url.pathname,
          query,
          headers,
          body: text,
        });
      } catch (error) {
        throw new SigningError(
          `no AWS credentials to sign the request with (${errorMessage(error)}); set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or pass --jwt`,
        );
      }
      Object.assign(headers, signed.headers);
    }
    // fetch sets Host itself from the URL (the same value that was signed).
    delete headers.host;
    const response = await fetchFn(url, { method, headers, body: text });
    const answer = await response.text();
    let parsed: unknown;
    try {
      parsed = answer ? JSON.parse(answer) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: response.status, body: parsed, text: answer };
  };
}
