/**
 * The small interfaces the engine uses instead of the Momento SDK, so the engine stays pure and
 * testable. The adapters in `adapters/` (`momento-cache.ts`, `momento-topics.ts`, `momento-tokens.ts`)
 * implement them over the Momento SDK; every method throws a
 * {@link MomentoCallError} when Momento answers with an error or cannot be reached.
 * TTLs are in seconds (fractions allowed).
 */

/** One scalar item to write. */
export interface CacheItem {
  readonly key: string;
  readonly value: string;
  readonly ttlSeconds: number;
}

/** The cache calls the engine makes, all on one cache (the port is bound to `CACHE_NAME`). */
export interface CachePort {
  get(key: string): Promise<string | undefined>;
  /** Values in the order of `keys`; `undefined` for a miss. */
  getBatch(keys: readonly string[]): Promise<(string | undefined)[]>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Several items in one call (Momento `SetBatch`), each with its own TTL; an empty list makes no call. */
  setBatch(items: readonly CacheItem[]): Promise<void>;
  delete(key: string): Promise<void>;
  /** Atomic: stores only when the key is absent. Resolves whether it stored. */
  setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean>;
  /** Atomic: stores only when the key is absent or holds `equal`. */
  setIfAbsentOrEqual(key: string, value: string, equal: string, ttlSeconds: number): Promise<boolean>;
  /** Atomic: stores only when the key holds `equal`. */
  setIfEqual(key: string, value: string, equal: string, ttlSeconds: number): Promise<boolean>;
  /** Appends and keeps only the last `keepLast` values; the list's TTL is refreshed. */
  listPushBack(list: string, value: string, keepLast: number, ttlSeconds: number): Promise<void>;
  listFetch(list: string): Promise<string[]>;
  dictionaryIncrement(dictionary: string, field: string, amount: number, ttlSeconds: number): Promise<void>;
  /** Field names of a dictionary (empty for a miss). */
  dictionaryFields(dictionary: string): Promise<string[]>;
  dictionaryLength(dictionary: string): Promise<number>;
  sortedSetPut(set: string, element: string, score: number, ttlSeconds: number): Promise<void>;
  /** Several elements of one sorted set in one call (each element once; an empty list makes no call). */
  sortedSetPutMany(
    set: string,
    elements: readonly { element: string; score: number }[],
    ttlSeconds: number,
  ): Promise<void>;
  /** Elements with a score in `[minScore, maxScore]`, lowest first, at most `count`. */
  sortedSetRange(
    set: string,
    minScore: number,
    maxScore: number,
    count: number,
  ): Promise<{ element: string; score: number }[]>;
  /** Scores of the given elements (absent ones are left out). */
  sortedSetScores(set: string, elements: readonly string[]): Promise<Map<string, number>>;
  sortedSetRemove(set: string, elements: readonly string[]): Promise<void>;
}

/** An item received on a topic subscription. */
export interface TopicMessage {
  readonly value: string | Uint8Array;
  /** The publisher's token id (Momento stamps it; the device cannot choose it). */
  readonly tokenId?: string;
  readonly sequenceNumber: number;
}

export interface TopicSubscriptionHandlers {
  onMessage(message: TopicMessage): void;
  /** A stream-level heartbeat from Momento: the stream is alive even when no device publishes. */
  onHeartbeat?(): void;
  /** Momento skipped sequence numbers: messages may have been lost. */
  onDiscontinuity?(lastSequence: number, newSequence: number): void;
  /** The stream broke; the SDK reconnects by itself (from the last sequence number). */
  onConnectionLost?(): void;
  /** An error the SDK will not retry (authentication, permission, ...) or that ended the stream. */
  onError?(error: MomentoCallError): void;
}

export interface TopicSubscription {
  unsubscribe(): void;
}

export interface TopicPort {
  publish(topic: string, message: string): Promise<void>;
  /**
   * Subscribes; resolves once the stream is established (first stream message), or throws a
   * {@link MomentoCallError} when it is refused or `timeoutMs` passes first.
   */
  subscribe(topic: string, handlers: TopicSubscriptionHandlers, timeoutMs: number): Promise<TopicSubscription>;
}

/** What a device token may do: publish its heartbeats and hear its control messages. */
export interface DeviceTokenGrant {
  /** Token id: the account, stamped by Momento on every message published with the token. */
  readonly accountId: string;
  readonly publishTopic: string;
  readonly subscribeTopic: string;
  readonly ttlSeconds: number;
}

export interface MintedToken {
  readonly token: string;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
}

export interface TokenPort {
  mintDeviceToken(grant: DeviceTokenGrant): Promise<MintedToken>;
}

/** The three ports a process needs; the token port only where the auth key is available. */
export interface MomentoPorts {
  readonly cache: CachePort;
  readonly topics: TopicPort;
  readonly tokens?: TokenPort;
  /** Closes the underlying clients (tests and SIGTERM). */
  close(): void;
}

/** Why a Momento call failed, in the categories the engine acts on. */
export type MomentoErrorKind =
  | 'unavailable' // network, timeout, Momento unavailable or failing inside: the failure mode applies
  | 'throttled' // this account's Momento limits were exceeded: load a caller can cause, never failed open
  | 'authentication' // key missing, garbled or expired
  | 'permission' // key valid but not allowed
  | 'not-found' // cache missing
  | 'invalid' // bad argument: a bug on our side
  | 'other';

export class MomentoCallError extends Error {
  constructor(
    readonly kind: MomentoErrorKind,
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'MomentoCallError';
  }
}

export function isMomentoCallError(error: unknown): error is MomentoCallError {
  return error instanceof MomentoCallError;
}
