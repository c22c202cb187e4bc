import type { CollectionTtl } from './keyspace';

/** The TTL fields every collection write carries. */
export const collectionTtlOf = (request: { ttl_milliseconds: number; refresh_ttl: boolean }): CollectionTtl => ({
  ttlMilliseconds: request.ttl_milliseconds,
  refreshTtl: request.refresh_ttl,
});
