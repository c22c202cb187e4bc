import { randomUUID } from 'node:crypto';
import type { AdmissionHook } from '../ports/admission-hook';
import type { RuntimeConfig } from '../runtime/config';
import { momentoIsUnavailable } from '../ports/failure-mode';
import { noEvents, type LifecycleEventSink } from '../ports/lifecycle-event-sink';
import type { CachePort, MomentoCallError, TopicPort } from '../ports/momento-ports';
import { noMetrics, silentLogger, type EngineLogger, type EngineMetrics } from '../ports/observability';
import { cacheKeys } from './cache-keys';
import type { CountingStrategy } from './counting-strategy';
import { createCountingStrategy, type StrategyOptions } from './create-counting-strategy';
import { DeadlineIndexWriter } from './deadline-index-writer';
import type { ScopeRef } from './scope';
import { ScopeLimits } from './scope-limits';
import { indexTtlSeconds, SessionLifecycle, sessionRecordTtlSeconds } from './session-lifecycle';
import { SessionStore, type SessionRecord } from './session-store';
import type { SessionViewDeps } from './session-views';

export interface EngineDependencies {
  readonly cache: CachePort;
  readonly topics: TopicPort;
  readonly events?: LifecycleEventSink;
  readonly metrics?: EngineMetrics;
  readonly logger?: EngineLogger;
  readonly hook?: AdmissionHook;
  readonly now?: () => number;
  readonly newSessionId?: () => string;
  /** Replaces the strategy named by the configuration (benchmarks). */
  readonly strategy?: CountingStrategy;
  /** Tuning of the seed strategies. */
  readonly strategyOptions?: Omit<StrategyOptions, 'leaseSeconds' | 'now'>;
  /**
   * Heartbeats queue their deadline index update and a {@link DeadlineIndexWriter} writes it in one
   * call per shard (the long-running subscriber; call `flushDeadlineIndex()` before exiting).
   * @default - undefined: every heartbeat writes its deadline at once (Lambdas)
   */
  readonly deadlineIndexBatch?: { readonly windowMs?: number; readonly maxBatch?: number };
}

/** A session as the heartbeat path remembers it. */
export interface HeardSession {
  readonly record: SessionRecord;
  /** The lease deadline its last heartbeat set (epoch ms); undefined when not in the index. */
  readonly deadline: number | undefined;
}

/** How many session records the heartbeat path keeps in memory (records never change once written). */
export const RECORD_MEMO_SIZE = 50_000;

/**
 * What the engine's parts (admission, device messages, entitlement, expiry) share: the ports, the
 * strategy, the session store and lifecycle, the subscriber's in-memory record memo, and the few
 * rules more than one part applies.
 */
export class EngineContext {
  readonly cache: CachePort;
  readonly hook: AdmissionHook | undefined;
  readonly strategy: CountingStrategy;
  readonly sessions: SessionStore;
  readonly scopeLimits: ScopeLimits;
  readonly viewDeps: SessionViewDeps;
  readonly lifecycle: SessionLifecycle;
  readonly events: LifecycleEventSink;
  readonly metrics: EngineMetrics;
  readonly logger: EngineLogger;
  readonly now: () => number;
  readonly newSessionId: () => string;
  readonly deadlineWriter: DeadlineIndexWriter | undefined;
  /**
   * Whether scopes' limits and ceilings are kept (`ct1:limit:<scope>`): with a hook (limits vary per
   * request) and with leases (a redeploy may lower DEFAULT_LIMIT under devices in higher slots).
   */
  readonly tracksLimits: boolean;
  /** Sessions this process heard heartbeats of (records never change once written). */
  private readonly heard = new Map<string, HeardSession>();
  /** When this engine started (epoch ms): the sweep ends lapsed sessions only after one lease. */
  readonly startedAt: number;

  constructor(
    readonly config: RuntimeConfig,
    deps: EngineDependencies,
  ) {
    this.cache = deps.cache;
    this.hook = deps.hook;
    this.now = deps.now ?? Date.now;
    this.newSessionId = deps.newSessionId ?? randomUUID;
    this.startedAt = this.now();
    this.events = deps.events ?? noEvents;
    this.metrics = deps.metrics ?? noMetrics;
    this.logger = deps.logger ?? silentLogger;
    // A lease is a claim that lives as long as its session record; liveness is the deadline index
    // (see expiry.ts), so heartbeats need not rewrite the lease.
    this.strategy =
      deps.strategy ??
      createCountingStrategy(config.countingStrategy, deps.cache, {
        leaseSeconds: sessionRecordTtlSeconds(config),
        now: this.now,
        ...deps.strategyOptions,
      });
    this.sessions = new SessionStore(deps.cache);
    this.scopeLimits = new ScopeLimits(deps.cache, sessionRecordTtlSeconds(config));
    this.tracksLimits = deps.hook !== undefined || this.strategy.exact;
    this.viewDeps = { config, cache: deps.cache, sessions: this.sessions };
    if (deps.deadlineIndexBatch) {
      this.deadlineWriter = new DeadlineIndexWriter({
        cache: deps.cache,
        ttlSeconds: indexTtlSeconds(config),
        metrics: this.metrics,
        logger: this.logger,
        ...deps.deadlineIndexBatch,
      });
    }
    this.lifecycle = new SessionLifecycle({
      config,
      cache: deps.cache,
      topics: deps.topics,
      sessions: this.sessions,
      strategy: this.strategy,
      events: this.events,
      metrics: this.metrics,
      logger: this.logger,
      now: this.now,
    });
  }

  /** FAILURE_MODE `open` answers degraded only when Momento is unavailable, never on a refusal. */
  failsOpen(error: MomentoCallError): boolean {
    return this.config.failureMode === 'open' && momentoIsUnavailable(error);
  }

  scopeOf(record: SessionRecord): ScopeRef {
    return {
      kind: this.config.limitScope,
      accountId: record.accountId,
      contentId: record.contentId,
      key: record.scopeKey,
    };
  }

  /**
   * The limit and ceiling in force for a scope now: the hook's last limit (or the session's own
   * when none is stored) with a hook, DEFAULT_LIMIT without; the ceiling is the stored one.
   */
  async limitInForce(scope: ScopeRef, record: SessionRecord): Promise<{ limit: number; ceiling: number }> {
    const stored = this.tracksLimits ? await this.scopeLimits.read(scope) : undefined;
    const limit = this.hook ? (stored?.limit ?? record.limit) : this.config.defaultLimit;
    return { limit, ceiling: Math.max(limit, stored?.ceiling ?? 0) };
  }

  /** Writes a session's lease deadline (a heartbeat at `heartbeatAt`) to its shard's index now. */
  touchDeadline(record: SessionRecord, heartbeatAt: number): Promise<void> {
    return this.cache.sortedSetPut(
      cacheKeys.deadlines(record.shard),
      record.sessionId,
      heartbeatAt + this.config.leaseSeconds * 1000,
      indexTtlSeconds(this.config),
    );
  }

  /** What this process heard of a session: its record and the deadline its last heartbeat set. */
  heardOf(sessionId: string): HeardSession | undefined {
    return this.heard.get(sessionId);
  }

  /** Remembers a session's record and its current deadline (the oldest session is dropped past the bound). */
  hear(record: SessionRecord, deadline: number | undefined): void {
    this.heard.delete(record.sessionId);
    this.heard.set(record.sessionId, { record, deadline });
    if (this.heard.size > RECORD_MEMO_SIZE) this.heard.delete(this.heard.keys().next().value!);
  }

  /** Drops a session from the in-memory records (it ended, or is about to). */
  forget(sessionId: string): void {
    this.heard.delete(sessionId);
  }
}
