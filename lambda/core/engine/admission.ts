import { decideWithin } from '../ports/admission-hook';
import { lifecycleEventId } from '../ports/lifecycle-event-sink';
import { isMomentoCallError } from '../ports/momento-ports';
import { cacheKeys } from './cache-keys';
import type { HeldPlace, Holder } from './counting-strategy';
import { withDeadline } from './deadline';
import type { EngineContext } from './engine-context';
import type { AdmissionOutcome, AdmissionRequest } from './engine-types';
import { MomentoUnavailableError } from './momento-unavailable-error';
import { resolveScope, shardOf, type ScopeRef } from './scope';
import { parseScopeLimit, type ScopeLimit } from './scope-limits';
import { indexTtlSeconds, sessionRecordTtlSeconds } from './session-lifecycle';
import { errorNameAndMessage } from '../error-message';
import { holderOf, parseRecord, type SessionRecord } from './session-store';
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
      ctx.logger.error('admission could not reach Momento', {
        accountId: request.accountId,
        failureMode: ctx.config.failureMode,
        kind: error.kind,
        error: errorNameAndMessage(error),
      });
      if (!ctx.failsOpen(error)) throw new MomentoUnavailableError(error);
      ctx.metrics.count('AdmissionsDegraded');
      const startedAt = ctx.now();
      return {
        kind: 'degraded',
        limit,
        reason: error.message,
        session: this.sessionRecord(
          request,
          scope,
          request.sessionId ?? ctx.newSessionId(),
          limit,
          startedAt,
          this.endsAt(startedAt),
        ),
      };
    }
  }

  /** When a session started at `startedAt` must end (MAX_SESSION_SECONDS); undefined without a maximum. */
  private endsAt(startedAt: number): number | undefined {
    return this.ctx.config.maxSessionSeconds > 0 ? startedAt + this.ctx.config.maxSessionSeconds * 1000 : undefined;
  }

  /** The record of a session of `request` in `scope`, admitted or degraded. */
  private sessionRecord(
    request: AdmissionRequest,
    scope: ScopeRef,
    sessionId: string,
    limit: number,
    startedAt: number,
    endsAt: number | undefined,
    slot?: number,
  ): SessionRecord {
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
  /**
   * One `getBatch` brings what the admission decides on: the scope's limit record, its places
   * (strategies whose places are one key each, as leases), the device's duration window, the
   * refreshed session's record and end marker, and what the caller reads along (token vending: the
   * account's device token). Only devices above a lowered limit cost a second read of the rest.
   */
  private async firstRead(request: AdmissionRequest, scope: ScopeRef, limit: number): Promise<FirstRead> {
    const { ctx } = this;
    const limitKey = ctx.tracksLimits ? cacheKeys.scopeLimit(scope.key) : undefined;
    const windowKey =
      ctx.config.maxSessionSeconds > 0
        ? cacheKeys.deviceClock(scope.key, request.accountId, request.deviceId)
        : undefined;
    const sessionKeys =
      request.sessionId === undefined ? [] : [cacheKeys.session(request.sessionId), cacheKeys.ended(request.sessionId)];
    const placeKeys = ctx.strategy.placeKeys?.(scope, limit) ?? [];
    const keys = [
      ...new Set(
        [limitKey, windowKey, ...sessionKeys, ...(request.readAlong ?? []), ...placeKeys].filter(
          (key): key is string => key !== undefined,
        ),
      ),
    ];
    const read = await ctx.cache.getBatch(keys);
    const values = new Map(keys.map((key, i) => [key, read[i]]));
    const stored = limitKey === undefined ? undefined : parseScopeLimit(values.get(limitKey));
    // Devices may still hold slots up to the highest limit the scope had (its ceiling): after a
    // hook lowered it, or a redeploy lowered DEFAULT_LIMIT. They still count.
    const ceiling = Math.max(limit, stored?.ceiling ?? 0);
    let slots = ctx.strategy.placeKeys ? placeKeys.map((key) => values.get(key)) : undefined;
    if (slots && ceiling > limit)
      slots = [...slots, ...(await ctx.cache.getBatch(ctx.strategy.placeKeys!(scope, ceiling).slice(limit)))];
    return { values, stored, ceiling, slots, windowKey };
  }

  private async admitInScope(request: AdmissionRequest, scope: ScopeRef, limit: number): Promise<AdmissionOutcome> {
    const { ctx } = this;
    const read = await this.firstRead(request, scope, limit);
    const { ceiling } = read;
    if (ctx.tracksLimits) await this.noticeLimitChange(scope, limit, read);
    if (request.sessionId) {
      const continued = await this.continueSession(request, scope, limit, read);
      if (continued) return continued;
    }
    const window = read.windowKey;
    const opened = window === undefined ? undefined : parseEpoch(read.values.get(window));
    if (opened !== undefined && this.endsAt(opened)! <= ctx.now())
      return this.deniedForDuration(request, scope, limit, opened);
    // The record is settled before the claim, so the place itself carries what the entitlement check shows.
    const now = ctx.now();
    const draft = this.sessionRecord(request, scope, ctx.newSessionId(), limit, now, undefined);
    const holder: Holder = holderOf(draft);
    let result = await ctx.strategy.acquire(scope, limit, holder, ceiling, read.slots);
    let evicted: SessionRecord | undefined;
    if (result.kind === 'full' && ctx.config.atLimit === 'evict-oldest' && ctx.strategy.takeover) {
      for (let attempt = 0; attempt < 3 && result.kind === 'full'; attempt += 1) {
        const oldest = await this.oldestPlace(result.places);
        if (!oldest || oldest.place.slot === undefined) break;
        if (await ctx.strategy.takeover(scope, oldest.place.slot, oldest.place.holder, holder)) {
          result = { kind: 'acquired', slot: oldest.place.slot };
          evicted = oldest.record;
        } else {
          result = await ctx.strategy.acquire(scope, limit, holder, ceiling);
        }
      }
    }
    if (result.kind === 'full') {
      await this.reportDenied(request, scope, 'limit-reached', limit, result.places.length);
      return {
        kind: 'limit-reached',
        limit,
        active: result.places.length,
        sessions: await describePlaces(ctx.viewDeps, result.places, request.accountId, scope),
      };
    }

    // The device's duration window opens with its first admitted session in the scope (a refusal
    // at the limit does not start its clock); a race for it is won by the first writer.
    const windowStart = window === undefined ? undefined : (opened ?? (await this.openWindow(window, now)));
    const endsAt = windowStart === undefined ? undefined : this.endsAt(windowStart);
    if (windowStart !== undefined && endsAt! <= now) {
      await ctx.strategy.release(scope, holder, result.slot);
      return this.deniedForDuration(request, scope, limit, windowStart);
    }
    // The same device of this account held a place (its id copied to another screen, or a restart
    // without sessionId): the newer session took the place over, and the earlier one is ended and
    // told now, on its control topic, like any eviction.
    const replaced = result.replaced ? await ctx.sessions.get(result.replaced.sessionId) : undefined;
    const record: SessionRecord = { ...draft, slot: result.slot, endsAt };
    const places = await this.placesAfter(scope, limit, ceiling, read, { holder, slot: result.slot });
    const active = places.length;
    await this.recordSession(record, scope, places);
    if (replaced) {
      ctx.forget(replaced.sessionId);
      await ctx.lifecycle.end(replaced, 'replaced', { release: false });
    }
    if (evicted) await ctx.lifecycle.end(evicted, 'evicted-by-newer-session', { release: false });
    ctx.metrics.count('AdmissionsGranted');
    ctx.logger.info('session admitted', {
      sessionId: record.sessionId,
      accountId: record.accountId,
      deviceId: record.deviceId,
      limit,
      active,
      replaced: replaced?.sessionId,
    });
    await ctx.events.emit({
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
    return {
      kind: 'admitted',
      session: record,
      limit,
      active,
      continued: false,
      evicted,
      replaced,
      readAlong: readAlong(request, read),
    };
  }

  /**
   * The scope's places once `own` is taken: from the first read when the strategy's places were
   * in it (the place `own` took counted once, whoever held it before), else read again. Under
   * racing admissions this is the count as this admission saw it; the limit holds regardless.
   */
  private async placesAfter(
    scope: ScopeRef,
    limit: number,
    ceiling: number,
    read: FirstRead,
    own: HeldPlace,
  ): Promise<HeldPlace[]> {
    const { strategy } = this.ctx;
    if (!read.slots || !strategy.placesFrom) return strategy.active(scope, limit, ceiling);
    return [
      ...strategy
        .placesFrom(read.slots)
        .filter((place) => place.slot !== own.slot && place.holder.sessionId !== own.holder.sessionId),
      own,
    ];
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

  private async deniedForDuration(
    request: AdmissionRequest,
    scope: ScopeRef,
    limit: number,
    windowStart: number,
  ): Promise<AdmissionOutcome> {
    await this.reportDenied(request, scope, 'max-duration', limit);
    const again = new Date(windowStart + 2 * this.ctx.config.maxSessionSeconds * 1000).toISOString();
    return {
      kind: 'denied',
      reason: `this device has used the maximum session duration; it may start again after ${again}`,
    };
  }

  /** A token refresh for a session the device still holds: refreshed, never counted twice. */
  private async continueSession(
    request: AdmissionRequest,
    scope: ScopeRef,
    limit: number,
    read: FirstRead,
  ): Promise<AdmissionOutcome | undefined> {
    const { ctx } = this;
    const sessionId = request.sessionId!;
    const record = parseRecord(read.values.get(cacheKeys.session(sessionId)));
    if (!record && read.values.get(cacheKeys.ended(sessionId)) === 'max-duration') {
      // The session ran its full time: a refresh must not turn into a fresh one.
      return { kind: 'denied', reason: 'the session reached its maximum duration' };
    }
    if (
      !record ||
      record.accountId !== request.accountId ||
      record.deviceId !== request.deviceId ||
      record.scopeKey !== scope.key
    )
      return undefined;
    const now = ctx.now();
    if (record.endsAt !== undefined && now >= record.endsAt) {
      await ctx.lifecycle.end(record, 'max-duration', { release: true });
      return { kind: 'denied', reason: 'the session reached its maximum duration' };
    }
    if (!(await ctx.strategy.refresh(scope, holderOf(record), record.slot))) return undefined;
    const covered = read.slots !== undefined && (record.slot ?? 0) < read.slots.length;
    const places = covered
      ? ctx.strategy.placesFrom!(read.slots!)
      : await ctx.strategy.active(scope, limit, Math.max(read.ceiling, record.limit));
    const ttl = sessionRecordTtlSeconds(ctx.config);
    // Devices refreshing their tokens keep the scope's limit record (and its ceiling) alive.
    const items = [
      ctx.sessions.item(record, ttl),
      ...(ctx.tracksLimits ? [ctx.scopeLimits.item(scope, limit, places)] : []),
    ];
    await Promise.all([ctx.touchDeadline(record, now), ctx.cache.setBatch(items)]);
    return {
      kind: 'admitted',
      session: record,
      limit,
      active: places.length,
      continued: true,
      readAlong: readAlong(request, read),
    };
  }

  /**
   * The admitted session's writes, side by side: one `setBatch` with its record and the scope's
   * limit record, and its first deadline in the shard's index (so a device that never heartbeats
   * is found by the sweep and reported).
   */
  private async recordSession(record: SessionRecord, scope: ScopeRef, places: readonly HeldPlace[]): Promise<void> {
    const { ctx } = this;
    const ttl = sessionRecordTtlSeconds(ctx.config);
    // Rewritten by every admission and token refresh, so the limit record outlives every session
    // that may sit above a limit lowered later (it is what keeps those sessions counted).
    const items = [
      ctx.sessions.item(record, ttl),
      ...(ctx.tracksLimits ? [ctx.scopeLimits.item(scope, record.limit, places)] : []),
    ];
    if (!ctx.strategy.exact)
      items.push({
        key: cacheKeys.deviceSession(scope.key, record.deviceId),
        value: record.sessionId,
        ttlSeconds: ttl,
      });
    const writes: Promise<void>[] = [
      ctx.cache.setBatch(items),
      ctx.touchDeadline(record, Math.max(record.startedAt, ctx.now())),
    ];
    if (record.endsAt !== undefined) {
      writes.push(
        ctx.cache.sortedSetPut(
          cacheKeys.sessionEnds(record.shard),
          record.sessionId,
          record.endsAt,
          indexTtlSeconds(ctx.config),
        ),
      );
    }
    await Promise.all(writes);
  }

  /**
   * When the hook sets a scope a different limit than last time (a tier change), the scope's
   * active devices are told (`limit-changed`), as entitlement changes reach players in real time.
   * A redeploy that changes DEFAULT_LIMIT is told the same way.
   */
  private async noticeLimitChange(scope: ScopeRef, limit: number, read: FirstRead): Promise<void> {
    const { ctx } = this;
    const { stored } = read;
    if (!stored || stored.limit === limit) return;
    const places =
      read.slots && ctx.strategy.placesFrom
        ? ctx.strategy.placesFrom(read.slots)
        : await ctx.strategy.active(scope, limit, read.ceiling);
    await ctx.scopeLimits.store(scope, limit, places);
    const records = await ctx.sessions.getMany(places.map((place) => place.holder.sessionId));
    await Promise.all(
      [...records.values()].map((record) =>
        ctx.lifecycle.tell(record.accountId, record.sessionId, 'limit-changed', `limit ${stored.limit} -> ${limit}`),
      ),
    );
  }

  private async oldestPlace(
    places: readonly HeldPlace[],
  ): Promise<{ place: HeldPlace; record: SessionRecord } | undefined> {
    const records = await this.ctx.sessions.getMany(places.map((place) => place.holder.sessionId));
    const candidates = places.flatMap((place) => {
      const record = records.get(place.holder.sessionId);
      return record ? [{ place, record }] : [];
    });
    candidates.sort((a, b) => a.record.startedAt - b.record.startedAt || (a.place.slot ?? 0) - (b.place.slot ?? 0));
    return candidates[0];
  }

  private async reportDenied(
    request: AdmissionRequest,
    scope: ScopeRef,
    reason: string,
    limit: number,
    active?: number,
  ): Promise<void> {
    this.ctx.metrics.count('AdmissionsDenied');
    this.ctx.logger.info('admission denied', {
      accountId: request.accountId,
      deviceId: request.deviceId,
      reason,
      limit,
      active,
    });
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

/** What the admission's first read found (see `firstRead`). */
interface FirstRead {
  /** Every key read, with its value (undefined for a miss). */
  readonly values: ReadonlyMap<string, string | undefined>;
  readonly stored: ScopeLimit | undefined;
  readonly ceiling: number;
  /** The values of the scope's first `ceiling` places, when the strategy has place keys. */
  readonly slots: readonly (string | undefined)[] | undefined;
  readonly windowKey: string | undefined;
}

/** The values of the keys the caller asked to read along with the admission. */
function readAlong(request: AdmissionRequest, read: FirstRead): ReadonlyMap<string, string | undefined> | undefined {
  return request.readAlong === undefined
    ? undefined
    : new Map(request.readAlong.map((key) => [key, read.values.get(key)]));
}
