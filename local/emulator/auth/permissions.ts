import { permission_messages as pm } from '@gomomento/generated-types/dist/permissionmessages';
import { z } from 'zod';
import type { CacheAccess } from '../call-guard';

/**
 * What a token may do, in the emulator's own words. It is what a minted token carries (signed) and
 * what every call is checked against. Keys and key prefixes are base64, since cache keys are bytes.
 */
const cachePermissionSchema = z.object({
  type: z.literal('cache'),
  role: z.enum(['read-write', 'read-only', 'write-only']),
  /** Cache name; absent for every cache. */
  cache: z.string().optional(),
  key: z.string().optional(),
  keyPrefix: z.string().optional(),
});
const topicPermissionSchema = z.object({
  type: z.literal('topic'),
  role: z.enum(['publish-subscribe', 'subscribe-only', 'publish-only']),
  cache: z.string().optional(),
  topic: z.string().optional(),
  topicPrefix: z.string().optional(),
});
export const scopeSchema = z.union([
  z.object({ superUser: z.literal(true) }),
  z.object({
    superUser: z.literal(false),
    permissions: z.array(z.union([cachePermissionSchema, topicPermissionSchema])),
  }),
]);

export type CachePermission = z.infer<typeof cachePermissionSchema>;
export type TopicPermission = z.infer<typeof topicPermissionSchema>;
export type Scope = z.infer<typeof scopeSchema>;
export type TopicAction = 'publish' | 'subscribe';

export const SUPER_USER: Scope = { superUser: true };

const CACHE_ROLES: Partial<Record<pm.CacheRole, CachePermission['role']>> = {
  [pm.CacheRole.CacheReadWrite]: 'read-write',
  [pm.CacheRole.CacheReadOnly]: 'read-only',
  [pm.CacheRole.CacheWriteOnly]: 'write-only',
};
const TOPIC_ROLES: Partial<Record<pm.TopicRole, TopicPermission['role']>> = {
  [pm.TopicRole.TopicReadWrite]: 'publish-subscribe',
  [pm.TopicRole.TopicReadOnly]: 'subscribe-only',
  [pm.TopicRole.TopicWriteOnly]: 'publish-only',
};

/** Thrown when a token request asks for something the emulator cannot express, or Momento refuses. */
export class UnsupportedScopeError extends Error {}

const cacheSelectorOf = (p: {
  has_cache_selector: boolean;
  cache_selector: pm.PermissionsType.CacheSelector;
}): string => (p.has_cache_selector ? `cache ${JSON.stringify(p.cache_selector.cache_name)}` : 'every cache');

/** What one permission applies to (its selectors without its role), e.g. `topic "hb" in cache "c"`. */
function resourceOf(p: pm.PermissionsType): string {
  if (p.has_cache_permissions) {
    const c = p.cache_permissions;
    const item = !c.has_item_selector
      ? 'every item'
      : c.item_selector.has_key
        ? `key ${Buffer.from(c.item_selector.key).toString('base64')} (base64)`
        : `key prefix ${Buffer.from(c.item_selector.key_prefix).toString('base64')} (base64)`;
    return `${item} in ${cacheSelectorOf(c)}`;
  }
  if (p.has_topic_permissions) {
    const t = p.topic_permissions;
    const topic = !t.has_topic_selector
      ? 'every topic'
      : t.topic_selector.has_topic_name
        ? `topic ${JSON.stringify(t.topic_selector.topic_name)}`
        : `topic prefix ${JSON.stringify(t.topic_selector.topic_name_prefix)}`;
    return `${topic} in ${cacheSelectorOf(t)}`;
  }
  if (p.has_function_permissions) {
    const f = p.function_permissions;
    const fn = !f.has_function_selector
      ? 'every function'
      : f.function_selector.has_function_name
        ? `function ${JSON.stringify(f.function_selector.function_name)}`
        : `function prefix ${JSON.stringify(f.function_selector.function_name_prefix)}`;
    return `${fn} in ${cacheSelectorOf(f)}`;
  }
  return 'nothing';
}

/**
 * Refuses what Momento refuses in a permission list: an empty one, and two permissions on the same
 * resource, whether they repeat a role or conflict (Momento's SDK suite, "cannot create token with
 * empty permission list" and "... duplicate/conflicting cache|topic permissions", INVALID_ARGUMENT).
 * Assumption: those tests mint api keys (GenerateApiToken); disposable tokens take the same
 * `Permissions` message and are checked the same way. Assumption: a resource is the cache selector
 * plus the item, topic or function selector, so a name and a prefix, or one cache and every cache,
 * are different resources.
 */
function checkPermissionList(permissions: readonly pm.PermissionsType[]): void {
  if (permissions.length === 0)
    throw new UnsupportedScopeError('the permission list is empty: name at least one permission');
  const seen = new Set<string>();
  for (const p of permissions) {
    const resource = resourceOf(p);
    if (seen.has(resource))
      throw new UnsupportedScopeError(
        `duplicate or conflicting permissions on ${resource}: give each resource one permission`,
      );
    seen.add(resource);
  }
}

/** Converts the protobuf permissions of a token request into a scope. */
export function scopeFromProto(permissions: pm.Permissions): Scope {
  if (permissions.has_super_user) return SUPER_USER;
  if (!permissions.has_explicit) throw new UnsupportedScopeError('permissions must be super_user or explicit');
  checkPermissionList(permissions.explicit.permissions);
  const result: Array<CachePermission | TopicPermission> = [];
  for (const p of permissions.explicit.permissions) {
    if (p.has_cache_permissions) {
      const c = p.cache_permissions;
      const role = CACHE_ROLES[c.role];
      // Assumption: a "permit none" role grants nothing and does not deny what another permission grants.
      if (role === undefined) continue;
      result.push({
        type: 'cache',
        role,
        ...(c.has_cache_selector ? { cache: c.cache_selector.cache_name } : {}),
        ...(c.has_item_selector && c.item_selector.has_key
          ? { key: Buffer.from(c.item_selector.key).toString('base64') }
          : {}),
        ...(c.has_item_selector && c.item_selector.has_key_prefix
          ? { keyPrefix: Buffer.from(c.item_selector.key_prefix).toString('base64') }
          : {}),
      });
    } else if (p.has_topic_permissions) {
      const t = p.topic_permissions;
      const role = TOPIC_ROLES[t.role];
      if (role === undefined) continue;
      result.push({
        type: 'topic',
        role,
        ...(t.has_cache_selector ? { cache: t.cache_selector.cache_name } : {}),
        ...(t.has_topic_selector && t.topic_selector.has_topic_name ? { topic: t.topic_selector.topic_name } : {}),
        ...(t.has_topic_selector && t.topic_selector.has_topic_name_prefix
          ? { topicPrefix: t.topic_selector.topic_name_prefix }
          : {}),
      });
    }
    // Function permissions grant nothing here: the emulator has no functions.
  }
  return { superUser: false, permissions: result };
}

const topicRoleAllows = (role: TopicPermission['role'], action: TopicAction): boolean =>
  role === 'publish-subscribe' || (action === 'publish' ? role === 'publish-only' : role === 'subscribe-only');

const cacheRoleAllows = (role: CachePermission['role'], access: CacheAccess): boolean =>
  role === 'read-write' || (access === 'read' ? role === 'read-only' : role === 'write-only');

/** True when `scope` lets its holder publish to or subscribe to `topic` in `cache`. */
export function scopeAllowsTopic(scope: Scope, cache: string, topic: string, action: TopicAction): boolean {
  if (scope.superUser) return true;
  return scope.permissions.some(
    (p) =>
      p.type === 'topic' &&
      topicRoleAllows(p.role, action) &&
      (p.cache === undefined || p.cache === cache) &&
      (p.topic === undefined || p.topic === topic) &&
      (p.topicPrefix === undefined || topic.startsWith(p.topicPrefix)),
  );
}

function permissionCoversKey(p: CachePermission, key: Buffer | undefined): boolean {
  if (p.key !== undefined) return key !== undefined && key.equals(Buffer.from(p.key, 'base64'));
  if (p.keyPrefix !== undefined) {
    const prefix = Buffer.from(p.keyPrefix, 'base64');
    return key !== undefined && key.subarray(0, prefix.length).equals(prefix);
  }
  return true;
}

/**
 * True when `scope` allows `access` to every one of `keys` in `cache`. A call naming no key needs a
 * permission on all of the cache's items.
 */
export function scopeAllowsCache(
  scope: Scope,
  cache: string,
  access: CacheAccess,
  keys: readonly Uint8Array[],
): boolean {
  if (scope.superUser) return true;
  const candidates = scope.permissions.filter(
    (p): p is CachePermission =>
      p.type === 'cache' && cacheRoleAllows(p.role, access) && (p.cache === undefined || p.cache === cache),
  );
  if (candidates.length === 0) return false;
  const wanted = keys.length === 0 ? [undefined] : keys.map((k) => Buffer.from(k.buffer, k.byteOffset, k.byteLength));
  return wanted.every((key) => candidates.some((p) => permissionCoversKey(p, key)));
}
