import { status, type Metadata } from '@grpc/grpc-js';
import type { CacheAccess, CallGuard } from '../call-guard';
import { statusError } from '../status-error';
import { scopeAllowsCache, scopeAllowsTopic, type TopicAction } from './permissions';
import type { Caller, TokenAuthority } from './token-authority';

// Assumption: the wording is ours; the SDK maps PERMISSION_DENIED to PermissionError by code alone.
const denied = (what: string) =>
  statusError(status.PERMISSION_DENIED, `Insufficient permissions to perform an operation: ${what}`);

/** The token a gRPC call carries (the SDK sends it as `authorization` metadata). */
export function tokenOf(metadata: Metadata): string {
  const value = metadata.get('authorization')[0];
  return typeof value === 'string' ? value : value === undefined ? '' : value.toString('utf8');
}

/**
 * The api key inside a token string. Devices hold the SDK's token form (base64 JSON with
 * `api_key` and `endpoint`) and send it as is to the HTTP API; the gRPC SDK sends the api key.
 */
export function apiKeyOf(token: string): string {
  if (token === '' || token.includes('.')) return token;
  try {
    const decoded: unknown = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    if (
      typeof decoded === 'object' &&
      decoded !== null &&
      typeof (decoded as { api_key?: unknown }).api_key === 'string'
    ) {
      return (decoded as { api_key: string }).api_key;
    }
  } catch {
    // Not an envelope: verification below refuses it as malformed.
  }
  return token;
}

/** Checks every call's token against what the call asks; the cache services and topics use it. */
export class TokenGuard implements CallGuard {
  constructor(private readonly authority: TokenAuthority) {}

  /** The verified caller of a token string (HTTP) or of a call's metadata (gRPC). */
  caller(tokenOrMetadata: string | Metadata): Caller {
    return this.authority.verify(
      apiKeyOf(typeof tokenOrMetadata === 'string' ? tokenOrMetadata : tokenOf(tokenOrMetadata)),
    );
  }

  authorizeControl(metadata: Metadata): void {
    if (!this.caller(metadata).scope.superUser) throw denied('control plane calls need a super-user key');
  }

  authorizeCache(metadata: Metadata, cacheName: string, access: CacheAccess, keys: readonly Uint8Array[]): void {
    if (!scopeAllowsCache(this.caller(metadata).scope, cacheName, access, keys)) {
      throw denied(`${access} in cache ${cacheName}`);
    }
  }

  /** Checks a topic call and returns its caller (whose token id stamps published items). */
  authorizeTopic(token: string | Metadata, cacheName: string, topic: string, action: TopicAction): Caller {
    const caller = this.caller(token);
    if (!scopeAllowsTopic(caller.scope, cacheName, topic, action))
      throw denied(`${action} to topic ${topic} in cache ${cacheName}`);
    return caller;
  }

  /** Minting tokens: only super-user keys (and local mode) may. */
  authorizeMinting(apiKey: string): void {
    // Assumption: like Momento's, only a key with super-user permissions may mint disposable tokens.
    if (!this.caller(apiKey).scope.superUser) throw denied('only a super-user key may mint disposable tokens');
  }
}
