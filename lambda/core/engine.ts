import { randomUUID } from 'node:crypto';
import { decideWithin, type AdmissionHook } from './ports/admission-hook';
import { cacheKeys } from './cache-keys';
import { mapWithConcurrency } from './concurrency-limiter';
import type { RuntimeConfig } from './runtime/config';
import type { CountingStrategy, HeldPlace, Holder } from './counting-strategy';
import { createCountingStrategy, type StrategyOptions } from './create-counting-strategy';
import { withDeadline } from './deadline';
import { DeadlineIndexWriter } from './deadline-index-writer';
import type {
  AdmissionOutcome,
  AdmissionRequest,
  ConcurrencyEngine,
  DeviceMessageOutcome,
  EntitlementView,
  SessionView,
} from './engine-types';
import type { HeartbeatMessage } from './messages/heartbeat-message';
import { lifecycleEventId, noEvents, type LifecycleEventSink } from './ports/lifecycle-event-sink';
import { isMomentoCallError, MomentoCallError, type CachePort, type TopicPort } from './ports/momento-ports';
import { momentoIsUnavailable } from './ports/failure-mode';
import { noMetrics, silentLogger, type EngineLogger, type EngineMetrics } from './ports/observability';
import { resolveScope, shardOf, type ScopeRef } from './scope';
import { controlMessageForEnd, describeError, indexTtlSeconds, SessionLifecycle, sessionRecordTtlSeconds } from './session-lifecycle';
import { ScopeLimits, type ScopeLimit } from './scope-limits';
import { describePlaces, sessionView, type SessionViewDeps } from './session-views';
import { holderOf, SessionStore, type SessionRecord } from './session-store';

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

/**
 * Momento failed on the request path and the answer cannot be degraded (FAILURE_MODE `closed`, or
 * an error that is not an outage: permission, authentication, argument): answer 503.
 */
export class MomentoUnavailableError extends Error {
  constructor(readonly cause: MomentoCallError) {
    super(`Momento is unavailable: ${cause.message}`);
    this.name = 'MomentoUnavailableError';
  }
}

/** How many session records the heartbeat path keeps in memory (records never change once written). */
const RECORD_MEMO_SIZE = 50_000;
/** Expired sessions handled per shard and sweep. */
const SWEEP_BATCH = 200;

export function createEngine(config: RuntimeConfig, deps: EngineDependencies): ConcurrencyEngine {
  return new Engine(config, deps);
}

class Engine implements ConcurrencyEngine {
  private readonly cache: CachePort;
  private readonly strategy: CountingStrategy;
  private readonly sessions: SessionStore;
  private readonly scopeLimits: ScopeLimits;
  private readonly viewDeps: SessionViewDeps;
  private readonly lifecycle: SessionLifecycle;
  private readonly events: LifecycleEventSink;
  private readonly metrics: EngineMetrics;
  private readonly logger: EngineLogger;
  private readonly now: () => number;
  private readonly newSessionId: () => string;
  private readonly recordMemo = new Map<string, SessionRecord>();
  private readonly deadlineWriter: DeadlineIndexWriter | undefined;
  /** Sessions already told that their lease is gone, so a chatty device is told once. */
  private readonly toldLost = new Map<string, number>();
  /**
   * Whether scopes' limits and ceilings are kept (`ct1:limit:<scope>`): with a hook (limits vary per
   * request) and with leases (a redeploy may lower DEFAULT_LIMIT under devices in higher slots).
   */
  private readonly tracksLimits: boolean;

  constructor(
    readonly config: RuntimeConfig,
    private readonly deps: EngineDependencies,
  ) {
    this.cache = deps.cache;
    this.now = deps.now ?? Date.now;
    this.newSessionId = deps.newSessionId ?? randomUUID;
    this.events = deps.events ?? noEvents;
    this.metrics = deps.metrics ?? noMetrics;
    this.logger = deps.logger ?? silentLogger;
    this.strategy =
      deps.strategy ?? createCountingStrategy(config.countingStrategy, deps.cache, { leaseSeconds: config.leaseSeconds, now: this.now, ...deps.strategyOptions });
    this.sessions = new SessionStore(deps.cache);
    this.scopeLimits = new ScopeLimits(deps.cache, sessionRecordTtlSeconds(config));
    this.tracksLimits = deps.hook !== undefined || this.strategy.exact;
    this.viewDeps = { config, cache: deps.cache, sessions: this.sessions };
    if (deps.deadlineIndexBatch) {
      this.deadlineWriter = new DeadlineIndexWriter({ cache: deps.cache, ttlSeconds: indexTtlSeconds(config), metrics: this.metrics, logger: this.logger, ...deps.deadlineIndexBatch });
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

  // ---- admission ------------------------------------------------------------------------------

  async admit(request: AdmissionRequest): Promise<AdmissionOutcome> {
    const scope = resolveScope(this.config.limitScope, request.accountId, request.contentId);
    let limit = this.config.defaultLimit;
    if (this.deps.hook) {
      const decision = await decideWithin(this.deps.hook, {
        accountId: request.accountId,
        deviceId: request.deviceId,
        contentId: request.contentId,
        kind: request.kind,
        scope: scope.key,
        defaultLimit: limit,
      });
      if (!decision.allow) {
        const reason = decision.reason ?? 'refused by the admission hook';
        await this.reportDenied(request, scope, reason, limit);
        return { kind: 'denied', reason };
      }
      limit = decision.limit ?? limit;
    }
    try {
      return await withDeadline(this.admitInScope(request, scope, limit), this.config.momentoTimeoutMs, 'admission');
    } catch (error) {
      if (!isMomentoCallError(error)) throw error;
      this.metrics.count('MomentoErrors');
      this.logger.error('admission could not reach Momento', { accountId: request.accountId, failureMode: this.config.failureMode, kind: error.kind, error: describeError(error) });
      if (!this.failsOpen(error)) throw new MomentoUnavailableError(error);
      this.metrics.count('AdmissionsDegraded');
      const startedAt = this.now();
      return {
        kind: 'degraded',
        limit,
        reason: error.message,
        session: this.sessionRecord(request, scope, request.sessionId ?? this.newSessionId(), limit, startedAt, this.endsAt(startedAt)),
      };
    }
  }

  /** FAILURE_MODE `open` answers degraded only when Momento is unavailable, never on a refusal. */
  private failsOpen(error: MomentoCallError): boolean {
    return this.config.failureMode === 'open' && momentoIsUnavailable(error);
  }

  /** When a session started at `startedAt` must end (MAX_SESSION_SECONDS); undefined without a maximum. */
  private endsAt(startedAt: number): number | undefined {
    return this.config.maxSessionSeconds > 0 ? startedAt + this.config.maxSessionSeconds * 1000 : undefined;
  }

  /** The record of a session of `request` in `scope`, admitted or degraded. */
  private sessionRecord(request: AdmissionRequest, scope: ScopeRef, sessionId: string, limit: number, startedAt: number, endsAt: number | undefined, slot?: number): SessionRecord {
    return {
      sessionId,
      accountId: request.accountId,
      deviceId: request.deviceId,
      ...(request.deviceName !== undefined && { deviceName: request.deviceName }),
      contentId: request.contentId,
      kind: request.kind,
      scopeKey: scope.key,
      shard: shardOf(request.accountId, this.config.topicShards),
      slot,
      limit,
      startedAt,
      endsAt,
    };
  }

  private async admitInScope(request: AdmissionRequest, scope: ScopeRef, limit: number): Promise<AdmissionOutcome> {
    // Devices may still hold slots up to the highest limit the scope had (its ceiling): after a
    // hook lowered it, or a redeploy lowered DEFAULT_LIMIT. They still count.
    const stored = this.tracksLimits ? await this.noticeLimitChange(scope, limit) : undefined;
    const ceiling = Math.max(limit, stored?.ceiling ?? 0);
    if (request.sessionId) {
      const continued = await this.continueSession(request, scope, limit, ceiling);
      if (continued) return continued;
    }
    const window = this.config.maxSessionSeconds > 0 ? cacheKeys.deviceClock(scope.key, request.accountId, request.deviceId) : undefined;
    const opened = window === undefined ? undefined : parseEpoch(await this.cache.get(window));
    if (opened !== undefined && this.endsAt(opened)! <= this.now()) return this.deniedForDuration(request, scope, limit, opened);
    const holder: Holder = { accountId: request.accountId, deviceId: request.deviceId, sessionId: this.newSessionId() };
    let result = await this.strategy.acquire(scope, limit, holder, ceiling);
    let evicted: SessionRecord | undefined;
    if (result.kind === 'full' && this.config.atLimit === 'evict-oldest' && this.strategy.takeover) {
      for (let attempt = 0; attempt < 3 && result.kind === 'full'; attempt += 1) {
        const oldest = await this.oldestPlace(result.places);
        if (!oldest || oldest.place.slot === undefined) break;
        if (await this.strategy.takeover(scope, oldest.place.slot, oldest.place.holder, holder)) {
          result = { kind: 'acquired', slot: oldest.place.slot };
          evicted = oldest.record;
        } else {
          result = await this.strategy.acquire(scope, limit, holder, ceiling);
        }
      }
    }
    if (result.kind === 'full') {
      await this.reportDenied(request, scope, 'limit-reached', limit, result.places.length);
      return { kind: 'limit-reached', limit, active: result.places.length, sessions: await describePlaces(this.viewDeps, result.places, request.accountId, scope) };
    }

    const now = this.now();
    // The device's duration window opens with its first admitted session in the scope (a refusal
    // at the limit does not start its clock); a race for it is won by the first writer.
    const windowStart = window === undefined ? undefined : (opened ?? (await this.openWindow(window, now)));
    const endsAt = windowStart === undefined ? undefined : this.endsAt(windowStart);
    if (windowStart !== undefined && endsAt! <= now) {
      await this.strategy.release(scope, holder, result.slot);
      return this.deniedForDuration(request, scope, limit, windowStart);
    }
    // The same device of this account held a place (its id copied to another screen, or a restart
    // without sessionId): the newer session took the place over, and the earlier one is ended and
    // told now, on its control topic, like any eviction.
    const replaced = result.replaced ? await this.sessions.get(result.replaced.sessionId) : undefined;
    const record = this.sessionRecord(request, scope, holder.sessionId, limit, now, endsAt, result.slot);
    await this.recordSession(record, scope);
    if (replaced) {
      this.recordMemo.delete(replaced.sessionId);
      await this.lifecycle.end(replaced, 'replaced', { release: false });
    }
    if (evicted) await this.lifecycle.end(evicted, 'evicted-by-newer-session', { release: false });
    const places = await this.strategy.active(scope, limit, ceiling);
    const active = places.length;
    // Rewritten by every admission and token refresh, so the record outlives every session that
    // may sit above a limit lowered later (it is what keeps those sessions counted).
    if (this.tracksLimits) await this.scopeLimits.store(scope, limit, places);
    this.metrics.count('AdmissionsGranted');
    this.logger.info('session admitted', { sessionId: record.sessionId, accountId: record.accountId, deviceId: record.deviceId, limit, active, replaced: replaced?.sessionId });
    await this.events.emit({
      detailType: 'Session Admitted',
      detail: {
        eventId: lifecycleEventId('Session Admitted', scope.key, record.sessionId, record.startedAt),
        accountId: record.accountId,
        scope: scope.key,
        sessionId: record.sessionId,
        deviceId: record.deviceId,
        contentId: record.contentId,
        kind: record.kind,
        limit,
        active,
        at: new Date(now).toISOString(),
      },
    });
    return { kind: 'admitted', session: record, limit, active, continued: false, evicted, replaced };
  }

  /**
   * Opens the device's session-duration window in a scope (MAX_SESSION_SECONDS), or resolves when
   * another admission opened it first. The window lasts two maximum durations (capped at Momento's
   * 24-hour item limit): every session the device starts in it ends when the window's maximum runs
   * out, and after that the device is refused until the window closes, so stopping, restarting or
   * copying the device id cannot buy a fresh duration.
   */
  private async openWindow(key: string, now: number): Promise<number> {
    if (await this.cache.setIfAbsent(key, String(now), 2 * this.config.maxSessionSeconds)) return now;
    return parseEpoch(await this.cache.get(key)) ?? now; // gone between the two calls: a fresh window
  }

  private async deniedForDuration(request: AdmissionRequest, scope: ScopeRef, limit: number, windowStart: number): Promise<AdmissionOutcome> {
    await this.reportDenied(request, scope, 'max-duration', limit);
    const again = new Date(windowStart + 2 * this.config.maxSessionSeconds * 1000).toISOString();
    return { kind: 'denied', reason: `this device has used the maximum session duration; it may start again after ${again}` };
  }

  /**
   * The limit and ceiling in force for a scope now: the hook's last limit (or the session's own
   * when none is stored) with a hook, DEFAULT_LIMIT without; the ceiling is the stored one.
   */
  private async limitInForce(scope: ScopeRef, record: SessionRecord): Promise<{ limit: number; ceiling: number }> {
    const stored = this.tracksLimits ? await this.scopeLimits.read(scope) : undefined;
    const limit = this.deps.hook ? (stored?.limit ?? record.limit) : this.config.defaultLimit;
    return { limit, ceiling: Math.max(limit, stored?.ceiling ?? 0) };
  }

  /** A token refresh for a session the device still holds: refreshed, never counted twice. */
  private async continueSession(request: AdmissionRequest, scope: ScopeRef, limit: number, ceiling: number): Promise<AdmissionOutcome | undefined> {
    const record = await this.sessions.get(request.sessionId!);
    if (!record && (await this.cache.get(cacheKeys.ended(request.sessionId!))) === 'max-duration') {
      // The session ran its full time: a refresh must not turn into a fresh one.
      return { kind: 'denied', reason: 'the session reached its maximum duration' };
    }
    if (!record || record.accountId !== request.accountId || record.deviceId !== request.deviceId || record.scopeKey !== scope.key) return undefined;
    const now = this.now();
    if (record.endsAt !== undefined && now >= record.endsAt) {
      await this.lifecycle.end(record, 'max-duration', { release: true });
      return { kind: 'denied', reason: 'the session reached its maximum duration' };
    }
    if (!(await this.strategy.refresh(scope, holderOf(record), record.slot))) return undefined;
    await Promise.all([this.touchDeadline(record, now), this.sessions.put(record, sessionRecordTtlSeconds(this.config))]);
    const places = await this.strategy.active(scope, limit, Math.max(ceiling, record.limit));
    // Devices refreshing their tokens keep the scope's limit record (and its ceiling) alive.
    if (this.tracksLimits) await this.scopeLimits.store(scope, limit, places);
    return { kind: 'admitted', session: record, limit, active: places.length, continued: true };
  }

  private async recordSession(record: SessionRecord, scope: ScopeRef): Promise<void> {
    const ttl = sessionRecordTtlSeconds(this.config);
    const writes: Promise<void>[] = [this.sessions.put(record, ttl), this.touchDeadline(record, record.startedAt > this.now() ? record.startedAt : this.now())];
    if (record.endsAt !== undefined) {
      writes.push(this.cache.sortedSetPut(cacheKeys.sessionEnds(record.shard), record.sessionId, record.endsAt, indexTtlSeconds(this.config)));
    }
    if (!this.strategy.exact) writes.push(this.cache.set(cacheKeys.deviceSession(scope.key, record.deviceId), record.sessionId, ttl));
    await Promise.all(writes);
  }

  /**
   * When the hook sets a scope a different limit than last time (a tier change), the scope's
   * active devices are told (`limit-changed`), as entitlement changes reach players in real time.
   * A redeploy that changes DEFAULT_LIMIT is told the same way. Resolves the scope's stored limit
   * and ceiling (as now stored).
   */
  private async noticeLimitChange(scope: ScopeRef, limit: number): Promise<ScopeLimit | undefined> {
    const stored = await this.scopeLimits.read(scope);
    const ceiling = Math.max(limit, stored?.ceiling ?? 0);
    if (!stored || stored.limit === limit) return stored;
    const places = await this.strategy.active(scope, limit, ceiling);
    await this.scopeLimits.store(scope, limit, places);
    const records = await this.sessions.getMany(places.map((place) => place.holder.sessionId));
    await Promise.all(
      [...records.values()].map((record) => this.lifecycle.tell(record.accountId, record.sessionId, 'limit-changed', `limit ${stored.limit} -> ${limit}`)),
    );
    return { limit, ceiling };
  }

  private async oldestPlace(places: readonly HeldPlace[]): Promise<{ place: HeldPlace; record: SessionRecord } | undefined> {
    const records = await this.sessions.getMany(places.map((place) => place.holder.sessionId));
    const candidates = places.flatMap((place) => {
      const record = records.get(place.holder.sessionId);
      return record ? [{ place, record }] : [];
    });
    candidates.sort((a, b) => a.record.startedAt - b.record.startedAt || (a.place.slot ?? 0) - (b.place.slot ?? 0));
    return candidates[0];
  }

  private async reportDenied(request: AdmissionRequest, scope: ScopeRef, reason: string, limit: number, active?: number): Promise<void> {
    this.metrics.count('AdmissionsDenied');
    this.logger.info('admission denied', { accountId: request.accountId, deviceId: request.deviceId, reason, limit, active });
    const at = this.now();
    await this.events.emit({
      detailType: 'Session Denied',
      detail: {
        eventId: lifecycleEventId('Session Denied', scope.key, request.deviceId, request.requestId ?? at),
        accountId: request.accountId,
        scope: scope.key,
        deviceId: request.deviceId,
        contentId: request.contentId,
        kind: request.kind,
        reason,
        limit,
        active,
        at: new Date(at).toISOString(),
      },
    });
  }

  // ---- device messages (the subscriber) -------------------------------------------------------

  handleDeviceMessage(accountId: string, message: HeartbeatMessage): Promise<DeviceMessageOutcome> {
    return message.type === 'stop' ? this.stop(accountId, message) : this.heartbeat(accountId, message);
  }

  async heartbeat(accountId: string, message: HeartbeatMessage): Promise<DeviceMessageOutcome> {
    const record = await this.recordFor(message.sessionId);
    if (!record) return this.unknownSession(accountId, message.sessionId);
    if (record.accountId !== accountId || record.deviceId !== message.deviceId) return this.rejectForeign(accountId, message, record);
    const now = this.now();
    if (record.endsAt !== undefined && now >= record.endsAt) {
      this.recordMemo.delete(record.sessionId);
      await this.lifecycle.end(record, 'max-duration', { release: true });
      return 'max-duration';
    }
    const scope = this.scopeOf(record);
    const holder = holderOf(record);
    if (!(await this.strategy.refresh(scope, holder, record.slot))) {
      // The lease lapsed (this subscriber fell behind, or Momento failed for a while) or passed to
      // another device. A device still heartbeating gets its slot back if nobody took it and an
      // admission under the limit in force could take it now (never above a lowered limit).
      if (this.strategy.reclaim && (await this.cache.get(cacheKeys.ended(record.sessionId))) === undefined && (await this.reclaim(scope, record))) {
        await this.heartbeatDeadline(record, now);
        this.metrics.count('HeartbeatsProcessed');
        this.logger.info('lapsed lease restored by a late heartbeat', { sessionId: record.sessionId, accountId: record.accountId });
        return 'refreshed';
      }
      this.recordMemo.delete(record.sessionId);
      const ended = await this.lifecycle.end(record, 'lease-lost', { release: false });
      return ended ? 'lease-lost' : 'already-ended';
    }
    await this.heartbeatDeadline(record, now);
    this.metrics.count('HeartbeatsProcessed');
    return 'refreshed';
  }

  async stop(accountId: string, message: HeartbeatMessage): Promise<DeviceMessageOutcome> {
    const record = await this.recordFor(message.sessionId);
    if (!record) return 'already-ended';
    if (record.accountId !== accountId || record.deviceId !== message.deviceId) return this.rejectForeign(accountId, message, record);
    this.recordMemo.delete(record.sessionId);
    const ended = await this.lifecycle.end(record, 'stopped', { release: true });
    this.metrics.count('HeartbeatsProcessed');
    return ended ? 'stopped' : 'already-ended';
  }

  private async reclaim(scope: ScopeRef, record: SessionRecord): Promise<boolean> {
    const { limit, ceiling } = await this.limitInForce(scope, record);
    return this.strategy.reclaim!(scope, holderOf(record), record.slot, limit, ceiling);
  }

  private rejectForeign(accountId: string, message: HeartbeatMessage, record: SessionRecord): DeviceMessageOutcome {
    this.metrics.count('HeartbeatsRejected');
    this.logger.warn('device message for a session of another account or device dropped', {
      publisherAccountId: accountId,
      sessionAccountId: record.accountId,
      sessionId: message.sessionId,
      deviceId: message.deviceId,
    });
    return 'rejected';
  }

  /**
   * A heartbeat for a session the cache does not know: it ended, or its lease is gone. A device
   * still heartbeating missed its control message (a control topic keeps no history for a
   * subscriber that was not listening), so it is told again, at most once per lease per process.
   */
  private async unknownSession(accountId: string, sessionId: string): Promise<DeviceMessageOutcome> {
    const endedFor = await this.cache.get(cacheKeys.ended(sessionId));
    const control = endedFor === undefined ? 'expired' : controlMessageForEnd(endedFor);
    if (control !== undefined) {
      const now = this.now();
      const toldAt = this.toldLost.get(sessionId);
      if (toldAt === undefined || now - toldAt > this.config.leaseSeconds * 1000) {
        this.toldLost.set(sessionId, now);
        if (this.toldLost.size > RECORD_MEMO_SIZE) this.toldLost.delete(this.toldLost.keys().next().value!);
        await this.lifecycle.tell(accountId, sessionId, control, endedFor ?? 'lease-lost');
      }
    }
    return endedFor === undefined ? 'lease-lost' : 'already-ended';
  }

  private async recordFor(sessionId: string): Promise<SessionRecord | undefined> {
    const memo = this.recordMemo.get(sessionId);
    if (memo) return memo;
    const record = await this.sessions.get(sessionId);
    if (record) {
      this.recordMemo.set(sessionId, record);
      if (this.recordMemo.size > RECORD_MEMO_SIZE) this.recordMemo.delete(this.recordMemo.keys().next().value!);
    }
    return record;
  }

  /** The heartbeat's deadline update: queued for the batch writer when there is one, else written now. */
  private async heartbeatDeadline(record: SessionRecord, heartbeatAt: number): Promise<void> {
    if (!this.deadlineWriter) return this.touchDeadline(record, heartbeatAt);
    this.deadlineWriter.record(record.shard, record.sessionId, heartbeatAt + this.config.leaseSeconds * 1000);
  }

  async flushDeadlineIndex(): Promise<void> {
    await this.deadlineWriter?.flush();
  }

  private touchDeadline(record: SessionRecord, heartbeatAt: number): Promise<void> {
    return this.cache.sortedSetPut(cacheKeys.deadlines(record.shard), record.sessionId, heartbeatAt + this.config.leaseSeconds * 1000, indexTtlSeconds(this.config));
  }

  private scopeOf(record: SessionRecord): ScopeRef {
    return { kind: this.config.limitScope, accountId: record.accountId, contentId: record.contentId, key: record.scopeKey };
  }

  // ---- entitlement ----------------------------------------------------------------------------

  async listSessions(accountId: string, contentId?: string): Promise<EntitlementView> {
    const scope = resolveScope(this.config.limitScope, accountId, contentId);
    this.metrics.count('EntitlementChecks');
    try {
      return await withDeadline(this.entitlement(scope, accountId), this.config.momentoTimeoutMs, 'entitlement check');
    } catch (error) {
      if (!isMomentoCallError(error)) throw error;
      this.metrics.count('MomentoErrors');
      this.logger.error('entitlement check could not reach Momento', { accountId, failureMode: this.config.failureMode, kind: error.kind, error: describeError(error) });
      if (!this.failsOpen(error)) throw new MomentoUnavailableError(error);
      this.metrics.count('AdmissionsDegraded');
      return { accountId, limit: this.config.defaultLimit, active: 0, allowed: true, sessions: [], degraded: true };
    }
  }

  private async entitlement(scope: ScopeRef, accountId: string): Promise<EntitlementView> {
    const stored = this.tracksLimits ? await this.scopeLimits.read(scope) : undefined;
    const limit = this.deps.hook ? (stored?.limit ?? this.config.defaultLimit) : this.config.defaultLimit;
    const places = await this.strategy.active(scope, limit, Math.max(limit, stored?.ceiling ?? 0));
    const sessions = await describePlaces(this.viewDeps, places, accountId, scope);
    return { accountId, limit, active: places.length, allowed: places.length < limit, sessions };
  }

  async checkSession(accountId: string, sessionId: string): Promise<SessionView | undefined> {
    this.metrics.count('EntitlementChecks');
    try {
      return await withDeadline(this.sessionCheck(accountId, sessionId), this.config.momentoTimeoutMs, 'session check');
    } catch (error) {
      if (!isMomentoCallError(error)) throw error;
      this.metrics.count('MomentoErrors');
      this.logger.error('session check could not reach Momento', { accountId, kind: error.kind, error: describeError(error) });
      // A licence server asks this before renewing: it must never read "counted" from an outage.
      throw new MomentoUnavailableError(error);
    }
  }

  /**
   * Two round trips: the session record (gone once the session ended), then, side by side, whether
   * it still holds its place (a lapsed lease counts as ended even before the sweep notices) and its
   * lease deadline for `lastHeartbeatAt`.
   */
  private async sessionCheck(accountId: string, sessionId: string): Promise<SessionView | undefined> {
    const record = await this.sessions.get(sessionId);
    if (!record || record.accountId !== accountId) return undefined;
    if (record.endsAt !== undefined && this.now() >= record.endsAt) return undefined;
    const [held, deadlines] = await Promise.all([
      this.strategy.isHeld(this.scopeOf(record), holderOf(record), record.slot),
      this.cache.sortedSetScores(cacheKeys.deadlines(record.shard), [record.sessionId]),
    ]);
    if (!held) return undefined;
    return sessionView(record, deadlines.get(record.sessionId), this.config.leaseSeconds);
  }

  async endSession(accountId: string, sessionId: string): Promise<'ended' | 'not-found'> {
    try {
      return await withDeadline(this.endNow(accountId, sessionId), this.config.momentoTimeoutMs, 'ending a session');
    } catch (error) {
      if (!isMomentoCallError(error)) throw error;
      this.metrics.count('MomentoErrors');
      throw new MomentoUnavailableError(error);
    }
  }

  private async endNow(accountId: string, sessionId: string): Promise<'ended' | 'not-found'> {
    const record = await this.sessions.get(sessionId);
    if (!record || record.accountId !== accountId) return 'not-found';
    this.recordMemo.delete(sessionId);
    return (await this.lifecycle.end(record, 'ended-by-account', { release: true })) ? 'ended' : 'not-found';
  }

  // ---- expiry ---------------------------------------------------------------------------------

  async sweep(shards: readonly number[], options: { lapsed?: boolean } = {}): Promise<{ ended: number }> {
    const endLapsed = options.lapsed ?? true;
    let ended = 0;
    for (const shard of shards) {
      const now = this.now();
      const [lapsed, overrun] = await Promise.all([
        this.cache.sortedSetRange(cacheKeys.deadlines(shard), 0, now, SWEEP_BATCH),
        this.cache.sortedSetRange(cacheKeys.sessionEnds(shard), 0, now, SWEEP_BATCH),
      ]);
      const results = await mapWithConcurrency([...overrun.map((e) => ({ id: e.element, overrun: true })), ...lapsed.map((e) => ({ id: e.element, overrun: false }))], 8, async (due) => {
        const record = await this.sessions.get(due.id);
        if (!record) {
          // Ended elsewhere, or its record expired: only the index entry is left.
          await this.cache.sortedSetRemove(cacheKeys[due.overrun ? 'sessionEnds' : 'deadlines'](shard), [due.id]);
          return false;
        }
        this.recordMemo.delete(record.sessionId);
        if (record.endsAt !== undefined && now >= record.endsAt) return this.lifecycle.end(record, 'max-duration', { release: true });
        if (due.overrun || !endLapsed) return false;
        // A newer deadline still waiting in the batch writer: the session heartbeated in time.
        if ((this.deadlineWriter?.pendingDeadline(shard, due.id) ?? 0) > now) return false;
        // Momento expires the lease itself; the index is only a hint, so check before reporting.
        if (this.strategy.exact && (await this.strategy.isHeld(this.scopeOf(record), holderOf(record), record.slot))) return false;
        // Released too: a late heartbeat may have restored the lease since the check above.
        return this.lifecycle.end(record, 'lease-expired', { release: true });
      });
      ended += results.filter(Boolean).length;
    }
    return { ended };
  }
}

/** An epoch-ms value as written in the cache; undefined when absent or unreadable. */
function parseEpoch(value: string | undefined): number | undefined {
  const parsed = Number(value);
  return value !== undefined && Number.isFinite(parsed) && parsed > 0 ? parsed : undefined;
}
