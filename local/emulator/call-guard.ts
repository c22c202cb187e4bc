import type { Metadata } from '@grpc/grpc-js';

/** What a cache call does with the keys it names. */
export type CacheAccess = 'read' | 'write';

/**
 * Decides, from a call's credentials (the `authorization` metadata), whether it may do what it
 * asks. Each method throws a gRPC `ServiceError` carrying Momento's status code (UNAUTHENTICATED
 * for a missing, malformed or expired token; PERMISSION_DENIED for a call outside its scope) and
 * returns normally when the call is allowed. Local mode (an empty token) is a super user.
 *
 * The cache and control services call it; the auth module implements it.
 */
export interface CallGuard {
  /** Control-plane calls (create, list, delete, flush caches): super users only. */
  authorizeControl(metadata: Metadata): void;
  /** A data call on `cacheName` touching `keys` (all keys of a multi-key call). */
  authorizeCache(metadata: Metadata, cacheName: string, access: CacheAccess, keys: readonly Uint8Array[]): void;
}
