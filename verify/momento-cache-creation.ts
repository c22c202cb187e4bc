import {
  CacheClient,
  Configurations,
  CreateCache,
  DefaultMomentoLoggerFactory,
  DefaultMomentoLoggerLevel,
  MomentoErrorCode,
} from '@gomomento/sdk';
import type { CredentialProvider } from '@gomomento/sdk';

/** What became of a create-cache request; each has its own exit code (see create-cache-command). */
export type CacheCreation =
  | { readonly outcome: 'created' | 'already-exists' }
  | { readonly outcome: 'refused' | 'unreachable' | 'failed'; readonly detail: string };

// Momento's answers that mean the key, not the network, is the problem.
const REFUSALS: Partial<Record<MomentoErrorCode, string>> = {
  [MomentoErrorCode.PERMISSION_ERROR]:
    'this key cannot create caches; use a super-user key or create the cache in the Momento console',
  [MomentoErrorCode.AUTHENTICATION_ERROR]:
    'Momento did not accept this key (expired, revoked, or made for another region: check --endpoint)',
  [MomentoErrorCode.LIMIT_EXCEEDED_ERROR]:
    "the account's cache limit is reached; delete an unused cache or ask Momento to raise the limit",
};
const UNREACHABLE = new Set<MomentoErrorCode>([
  MomentoErrorCode.SERVER_UNAVAILABLE,
  MomentoErrorCode.TIMEOUT_ERROR,
  MomentoErrorCode.CANCELLED_ERROR,
  MomentoErrorCode.CONNECTION_ERROR,
]);

/**
 * Asks Momento's control plane to create `cacheName` with the SDK's `CacheClient.createCache`,
 * giving up after `timeoutMs` (the SDK's own control deadline is 60 s).
 */
export async function createMomentoCache(options: {
  readonly cacheName: string;
  readonly credentialProvider: CredentialProvider;
  readonly timeoutMs: number;
}): Promise<CacheCreation> {
  const client = new CacheClient({
    // Quiet: the command prints one answer; the SDK's own reconnect logs would bury it.
    configuration: Configurations.Laptop.latest(
      new DefaultMomentoLoggerFactory(DefaultMomentoLoggerLevel.ERROR),
    ).withClientTimeoutMillis(options.timeoutMs),
    credentialProvider: options.credentialProvider,
    defaultTtlSeconds: 60,
  });
  try {
    const response = await client.createCache(options.cacheName, {
      abortSignal: AbortSignal.timeout(options.timeoutMs),
    });
    if (response instanceof CreateCache.Success) return { outcome: 'created' };
    if (response instanceof CreateCache.AlreadyExists) return { outcome: 'already-exists' };
    const code = response.errorCode();
    const refusal = REFUSALS[code];
    if (refusal) return { outcome: 'refused', detail: `${refusal} (${code})` };
    if (UNREACHABLE.has(code))
      return {
        outcome: 'unreachable',
        detail: `no answer from Momento's control endpoint within ${options.timeoutMs} ms (${code}: ${response.message()})`,
      };
    return { outcome: 'failed', detail: `${code}: ${response.message()}` };
  } finally {
    client.close();
  }
}
