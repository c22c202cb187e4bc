import { decideWithin } from '../admission-hook';
import { lifecycleEventId } from '../lifecycle-events';
import { isMomentoCallError } from '../momento-ports';
import { cacheKeys } from './cache-keys';
import type { HeldPlace, Holder } from './counting-strategy';
import { withDeadline } from './deadline';
import type { EngineContext } from './engine-context';
import type { AdmissionOutcome, AdmissionRequest } from './engine-types';
import { MomentoUnavailableError } from './momento-unavailable-error';
import { resolveScope, shardOf, type ScopeRef } from './scope';
import type { ScopeLimit } from './scope-limits';
import { describeError, indexTtlSeconds, sessionRecordTtlSeconds } from './session-lifecycle';
import { holderOf, type SessionRecord } from './session-store';
import { describePlaces } from './session-views';

/**
 * Admission (the core of `POST /tokens`): the hook's decision, the duration window, the strategy's
 * atomic claim (or a token refresh of a session the device holds), the session record, and the
 * scope's limit record; a Momento failure answers degraded or 503 by FAILURE_MODE.
 */
export class Admission {
  constructor(private readonly ctx: EngineContext) {}

  async admit(request: AdmissionRequest): Promise<AdmissionOutcome> {
    const { ctx } = this;
    const scope = resolveScope(ctx.config.limitScope, request.accountId, request.contentId);
    let limit = ctx.config.defaultLimit;
    if (ctx.hook) {
      const decision = await decideWithin(ctx.hook, {
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
      return await withDeadline(this.admitInScope(request, scope, limit), ctx.config.momentoTimeoutMs, 'admission');
    } catch (error) {
      if (!isMomentoCallError(error)) throw error;
      ctx.metrics.count('MomentoErrors');
      ctx.logger.error('admission could not reach Momento', { accountId: request.accountId, failureMode: ctx.config.failureMode, kind: error.kind, error: describeError(error) });
      if (!ctx.failsOpen(error)) throw new MomentoUnavailableError(error);
      ctx.metrics.count('AdmissionsDegraded');
      const startedAt = ctx.now();
      return {
        kind: 'degraded',
        limit,
        reason: error.message,
        session: this.sessionRecord(request, scope, request.sessionId ?? ctx.newSessionId(), limit, startedAt, this.endsAt(startedAt)),
      };
    }
  }

  /** When a session started at `startedAt` must end (MAX_SESSION_SECONDS); undefined without a maximum. */
  private endsAt(startedAt: number): number | undefined {
    return this.ctx.config.maxSessionSeconds > 0 ? startedAt + this.ctx.config.maxSessionSeconds * 1000 : undefined;
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
      shard: shardOf(request.accountId, this.ctx.config.topicShards),
      slot,
      limit,
      startedAt,
      endsAt,
    };
  }
  private async admitInScope(request: AdmissionRequest, scope: ScopeRef, limit: number): Promise<AdmissionOutcome> {
    // Devices may still hold slots up to the highest limit the scope had (its ceiling): after a
    // hook lowered it, or a redeploy lowered DEFAULT_LIMIT. They still count.
    const stored = this.ctx.tracksLimits ? await this.noticeLimitChange(scope, limit) : undefined;
    const ceiling = Math.max(limit, stored?.ceiling ?? 0);
    if (request.sessionId) {
      const continued = await this.continueSession(request, scope, limit, ceiling);
      if (continued) return continued;
    }
    const window = this.ctx.config.maxSessionSeconds > 0 ? cacheKeys.deviceClock(scope.key, request.accountId, request.deviceId) : undefined;
    const opened = window === undefined ? undefined : parseEpoch(await this.ctx.cache.get(window));
    if (opened !== undefined && this.endsAt(opened)! <= this.ctx.now()) return this.deniedForDuration(request, scope, limit, opened);
    const holder: Holder = { accountId: request.accountId, deviceId: request.deviceId, sessionId: this.ctx.newSessionId() };
    let result = await this.ctx.strategy.acquire(scope, limit, holder, ceiling);
    let evicted: SessionRecord | undefined;
    if (result.kind === 'full' && this.ctx.config.atLimit === 'evict-oldest' && this.ctx.strategy.takeover) {
      for (let attempt = 0; attempt < 3 && result.kind === 'full'; attempt += 1) {
        const oldest = await this.oldestPlace(result.places);
        if (!oldest || oldest.place.slot === undefined) break;
        if (await this.ctx.strategy.takeover(scope, oldest.place.slot, oldest.place.holder, holder)) {
          result = { kind: 'acquired', slot: oldest.place.slot };
          evicted = oldest.record;
        } else {
          result = await this.ctx.strategy.acquire(scope, limit, holder, ceiling);
        }
      }
    }
    if (result.kind === 'full') {
      await this.reportDenied(request, scope, 'limit-reached', limit, result.places.length);
      return { kind: 'limit-reached', limit, active: result.places.length, sessions: await describePlaces(this.ctx.viewDeps, result.places, request.accountId, scope) };
    }

    const now = this.ctx.now();
    // The device's duration window opens with its first admitted session in the scope (a refusal
    // at the limit does not start its clock); a race for it is won by the first writer.
    const windowStart = window === undefined ? undefined : (opened ?? (await this.openWindow(window, now)));
    const endsAt = windowStart === undefined ? undefined : this.endsAt(windowStart);
    if (windowStart !== undefined && endsAt! <= now) {
      await this.ctx.strategy.release(scope, holder, result.slot);
      return this.deniedForDuration(request, scope, limit, windowStart);
    }
    // The same device of this account held a place (its id copied to another screen, or a restart
    // without sessionId): the newer session took the place over, and the earlier one is ended and
    // told now, on its control topic, like any eviction.
    const replaced = result.replaced ? await this.ctx.sessions.get(result.replaced.sessionId) : undefined;
    const record = this.sessionRecord(request, scope, holder.sessionId, limit, now, endsAt, result.slot);
    await this.recordSession(record, scope);
    if (replaced) {
      this.ctx.forget(replaced.sessionId);
      await this.ctx.lifecycle.end(replaced, 'replaced', { release: false });
    }
    if (evicted) await this.ctx.lifecycle.end(evicted, 'evicted-by-newer-session', { release: false });
    const places = await this.ctx.strategy.active(scope, limit, ceiling);
    const active = places.length;
    // Rewritten by every admission and token refresh, so the record outlives every session that
    // may sit above a limit lowered later (it is what keeps those sessions counted).
    if (this.ctx.tracksLimits) await this.ctx.scopeLimits.store(scope, limit, places);
    this.ctx.metrics.count('AdmissionsGranted');
    this.ctx.logger.info('session admitted', { sessionId: record.sessionId, accountId: record.accountId, deviceId: record.deviceId, limit, active, replaced: replaced?.sessionId });
    await this.ctx.events.emit({
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
    if (await this.ctx.cache.setIfAbsent(key, String(now), 2 * this.ctx.config.maxSessionSeconds)) return now;
    return parseEpoch(await this.ctx.cache.get(key)) ?? now; // gone between the two calls: a fresh window
  }

  private async deniedForDuration(request: AdmissionRequest, scope: ScopeRef, limit: number, windowStart: number): Promise<AdmissionOutcome> {
    await this.reportDenied(request, scope, 'max-duration', limit);
    const again = new Date(windowStart + 2 * this.ctx.config.maxSessionSeconds * 1000).toISOString();
    return { kind: 'denied', reason: `this device has used the maximum session duration; it may start again after ${again}` };
  }

  /** A token refresh for a session the device still holds: refreshed, never counted twice. */
  private async continueSession(request: AdmissionRequest, scope: ScopeRef, limit: number, ceiling: number): Promise<AdmissionOutcome | undefined> {
    const record = await this.ctx.sessions.get(request.sessionId!);
    if (!record && (await this.ctx.cache.get(cacheKeys.ended(request.sessionId!))) === 'max-duration') {
      // The session ran its full time: a refresh must not turn into a fresh one.
      return { kind: 'denied', reason: 'the session reached its maximum duration' };
    }
    if (!record || record.accountId !== request.accountId || record.deviceId !== request.deviceId || record.scopeKey !== scope.key) return undefined;
    const now = this.ctx.now();
    if (record.endsAt !== undefined && now >= record.endsAt) {
      await this.ctx.lifecycle.end(record, 'max-duration', { release: true });
      return { kind: 'denied', reason: 'the session reached its maximum duration' };
    }
    if (!(await this.ctx.strategy.refresh(scope, holderOf(record), record.slot))) return undefined;
    await Promise.all([this.ctx.touchDeadline(record, now), this.ctx.sessions.put(record, sessionRecordTtlSeconds(this.ctx.config))]);
    const places = await this.ctx.strategy.active(scope, limit, Math.max(ceiling, record.limit));
    // Devices refreshing their tokens keep the scope's limit record (and its ceiling) alive.
    if (this.ctx.tracksLimits) await this.ctx.scopeLimits.store(scope, limit, places);
    return { kind: 'admitted', session: record, limit, active: places.length, continued: true };
  }

  private async recordSession(record: SessionRecord, scope: ScopeRef): Promise<void> {
    const ttl = sessionRecordTtlSeconds(this.ctx.config);
    const writes: Promise<void>[] = [this.ctx.sessions.put(record, ttl), this.ctx.touchDeadline(record, record.startedAt > this.ctx.now() ? record.startedAt : this.ctx.now())];
    if (record.endsAt !== undefined) {
      writes.push(this.ctx.cache.sortedSetPut(cacheKeys.sessionEnds(record.shard), record.sessionId, record.endsAt, indexTtlSeconds(this.ctx.config)));
    }
    if (!this.ctx.strategy.exact) writes.push(this.ctx.cache.set(cacheKeys.deviceSession(scope.key, record.deviceId), record.sessionId, ttl));
    await Promise.all(writes);
  }

  /**
   * When the hook sets a scope a different limit than last time (a tier change), the scope's
   * active devices are told (`limit-changed`), as entitlement changes reach players in real time.
   * A redeploy that changes DEFAULT_LIMIT is told the same way. Resolves the scope's stored limit
   * and ceiling (as now stored).
   */
  private async noticeLimitChange(scope: ScopeRef, limit: number): Promise<ScopeLimit | undefined> {
    const stored = await this.ctx.scopeLimits.read(scope);
    const ceiling = Math.max(limit, stored?.ceiling ?? 0);
    if (!stored || stored.limit === limit) return stored;
    const places = await this.ctx.strategy.active(scope, limit, ceiling);
    await this.ctx.scopeLimits.store(scope, limit, places);
    const records = await this.ctx.sessions.getMany(places.map((place) => place.holder.sessionId));
    await Promise.all(
      [...records.values()].map((record) => this.ctx.lifecycle.tell(record.accountId, record.sessionId, 'limit-changed', `limit ${stored.limit} -> ${limit}`)),
    );
    return { limit, ceiling };
  }

  private async oldestPlace(places: readonly HeldPlace[]): Promise<{ place: HeldPlace; record: SessionRecord } | undefined> {
    const records = await this.ctx.sessions.getMany(places.map((place) => place.holder.sessionId));
    const candidates = places.flatMap((place) => {
      const record = records.get(place.holder.sessionId);
      return record ? [{ place, record }] : [];
    });
    candidates.sort((a, b) => a.record.startedAt - b.record.startedAt || (a.place.slot ?? 0) - (b.place.slot ?? 0));
    return candidates[0];
  }

  private async reportDenied(request: AdmissionRequest, scope: ScopeRef, reason: string, limit: number, active?: number): Promise<void> {
    this.ctx.metrics.count('AdmissionsDenied');
    this.ctx.logger.info('admission denied', { accountId: request.accountId, deviceId: request.deviceId, reason, limit, active });
    const at = this.ctx.now();
    await this.ctx.events.emit({
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
}

/** An epoch-ms value as written in the cache; undefined when absent or unreadable. */
function parseEpoch(value: string | undefined): number | undefined {
  const parsed = Number(value);
  return value !== undefined && Number.isFinite(parsed) && parsed > 0 ? parsed : undefined;
}
