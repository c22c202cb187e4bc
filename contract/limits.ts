/** Largest limit a scope may have: the lease strategy reads every slot in one `getBatch`. */
export const MAX_LIMIT = 100;

/** Momento's documented maximum lifetime of a disposable token (25 hours). */
export const MAX_TOKEN_TTL_SECONDS = 25 * 60 * 60;

/** Most heartbeat topic shards a tracker may have. */
export const MAX_TOPIC_SHARDS = 64;
