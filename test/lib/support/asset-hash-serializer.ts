/**
 * A Jest snapshot serializer that masks asset hashes (64 hex characters), so a snapshot changes
 * only when the template does, not when a bundle's bytes or a dependency change.
 */
const HASH = /[0-9a-f]{64}/g;

export const assetHashSerializer = {
  test: (value: unknown): boolean => typeof value === 'string' && /[0-9a-f]{64}/.test(value),
  serialize: (value: string): string => JSON.stringify(value.replace(HASH, '[ASSET HASH]')),
};
