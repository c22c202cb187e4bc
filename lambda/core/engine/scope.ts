import type { LimitScope } from '../runtime/config';

/** What a limit applies to, resolved from the request and the configured `LIMIT_SCOPE`. */
export interface ScopeRef {
  readonly kind: LimitScope;
  readonly accountId: string;
  readonly contentId?: string;
  /** Stable key naming the scope inside cache keys (ids never contain `|`, `#` or spaces). */
  readonly key: string;
}

export class ScopeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScopeError';
  }
}

/**
 * Resolves the scope a limit counts in: per account (default), per account and content (streams
 * of one title), or per content (participants of one room, whatever their account).
 */
export function resolveScope(kind: LimitScope, accountId: string, contentId?: string): ScopeRef {
  switch (kind) {
    case 'account':
      return { kind, accountId, key: `a|${accountId}` };
    case 'account-content':
      if (!contentId) throw new ScopeError('contentId is required: limits apply per account and content');
      return { kind, accountId, contentId, key: `ac|${accountId}|${contentId}` };
    case 'content':
      if (!contentId) throw new ScopeError('contentId is required: limits apply per content');
      return { kind, accountId, contentId, key: `c|${contentId}` };
  }
}

/** FNV-1a: a stable, dependency-free hash so every process maps an account to the same shard. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** The heartbeat shard of an account (all of an account's devices publish to one shard). */
export function shardOf(accountId: string, shards: number): number {
  return shards <= 1 ? 0 : fnv1a(accountId) % shards;
}

/** Topic name of a heartbeat shard: the topic itself with one shard, `<name>-<n>` with several. */
export function heartbeatTopicName(baseTopic: string, shard: number, shards: number): string {
  return shards <= 1 ? baseTopic : `${baseTopic}-${shard}`;
}

/** The account's control topic (evictions, expiries, limit changes). */
export function controlTopicName(prefix: string, accountId: string): string {
  return `${prefix}${accountId}`;
}
