/**
 * Every key the runtime writes to the Momento cache, in one place (docs/architecture.md, "Data
 * kept in Momento", explains each). The `ct1:` prefix versions the layout.
 */
export const cacheKeys = {
  /** Lease slot `slot` of a scope: holds `<accountId> <deviceId> <sessionId> <details>`, or {@link FREE_SLOT}. */
  lease: (scopeKey: string, slot: number) => `ct1:lease:${scopeKey}#${slot}`,
  /** The session record (JSON {@link SessionRecord}). */
  session: (sessionId: string) => `ct1:session:${sessionId}`,
  /** Written once when a session ends, so exactly one process reports the end. */
  ended: (sessionId: string) => `ct1:ended:${sessionId}`,
  /** Sorted set per shard: session id scored by its lease deadline (epoch ms); the sweep ends sessions by it. */
  deadlines: (shard: number) => `ct1:deadlines:${shard}`,
  /** Sorted set per shard: session id scored by the end of its maximum duration (epoch ms). */
  sessionEnds: (shard: number) => `ct1:ends:${shard}`,
  /** The limit last applied to a scope when an admission hook sets limits per request. */
  scopeLimit: (scopeKey: string) => `ct1:limit:${scopeKey}`,
  /**
   * When a device's session-duration window in a scope opened (epoch ms), with MAX_SESSION_SECONDS:
   * every session of that device in the scope ends when the window's maximum runs out.
   */
  deviceClock: (scopeKey: string, accountId: string, deviceId: string) =>
    `ct1:clock:${scopeKey}|${accountId}|${deviceId}`,
  /** The reusable device token of an account (JSON {token, expiresAt}). */
  deviceToken: (accountId: string) => `ct1:token:${accountId}`,
  /** Baseline strategies only: the session a device holds in a scope. */
  deviceSession: (scopeKey: string, deviceId: string) => `ct1:device:${scopeKey}|${deviceId}`,
  /** Capped-list strategy: the last N heartbeats of a scope. */
  heartbeatList: (scopeKey: string) => `ct1:hb:${scopeKey}`,
  /** Interval-dictionary strategy: devices seen in one interval (`<scope>-<interval start ms>`). */
  intervalDictionary: (scopeKey: string, intervalStartMs: number) => `ct1:hbi:${scopeKey}-${intervalStartMs}`,
  /**
   * Heartbeat subscriber: the ownership lease of one set of shards (in any order), held by the one
   * process that subscribes to them (`lambda/heartbeat-subscriber/shard-ownership.ts`).
   */
  subscriberOwner: (shards: readonly number[]) => `ct1:subscriber-owner:${[...shards].sort((a, b) => a - b).join(',')}`,
} as const;

/** Value of a released lease slot: free to claim at once, gone by itself a second later. */
export const FREE_SLOT = '~free';
