import { isMomentoCallError } from '../ports/momento-ports';
import { cacheKeys } from './cache-keys';
import { withDeadline } from './deadline';
import type { EngineContext } from './engine-context';
import type { EntitlementView, SessionView } from './engine-types';
import { MomentoUnavailableError } from './momento-unavailable-error';
import { resolveScope, shardOf, type ScopeRef } from './scope';
import { parseScopeLimit } from './scope-limits';
import { errorNameAndMessage } from '../error-message';
import { holderOf } from './session-store';
import { describePlaces, sessionView } from './session-views';

/**
 * What an account (or its licence server) asks about its sessions: the entitlement check
 * (`GET /accounts/{id}/sessions`), the session check (`.../sessions/{sid}`), and ending one (DELETE).
 */
export class Entitlement {
  constructor(private readonly ctx: EngineContext) {}

  async listSessions(accountId: string, contentId?: string): Promise<EntitlementView> {
    const scope = resolveScope(this.ctx.config.limitScope, accountId, contentId);
    this.ctx.metrics.count('EntitlementChecks');
    try {
      return await withDeadline(
        this.entitlement(scope, accountId),
        this.ctx.config.momentoTimeoutMs,
        'entitlement check',
      );
    } catch (error) {
      if (!isMomentoCallError(error)) throw error;
      this.ctx.metrics.count('MomentoErrors');
      this.ctx.logger.error('entitlement check could not reach Momento', {
        accountId,
        failureMode: this.ctx.config.failureMode,
        kind: error.kind,
        error: errorNameAndMessage(error),
      });
      if (!this.ctx.failsOpen(error)) throw new MomentoUnavailableError(error);
      this.ctx.metrics.count('AdmissionsDegraded');
      return { accountId, limit: this.ctx.config.defaultLimit, active: 0, allowed: true, sessions: [], degraded: true };
    }
  }

  /**
   * One `getBatch`: the scope's limit record and its places, each place carrying what the check
   * shows of its session. Only a scope whose devices sit above a lowered limit (ceiling above
   * DEFAULT_LIMIT) costs a second read of the rest, and only places without details cost more.
   */
  private async entitlement(scope: ScopeRef, accountId: string): Promise<EntitlementView> {
    const { ctx } = this;
    const { strategy } = ctx;
    if (!strategy.placeKeys || !strategy.placesFrom) return this.entitlementByCalls(scope, accountId);
    const width = ctx.config.defaultLimit;
    const limitKey = ctx.tracksLimits ? [cacheKeys.scopeLimit(scope.key)] : [];
    const values = await ctx.cache.getBatch([...limitKey, ...strategy.placeKeys(scope, width)]);
    const stored = limitKey.length > 0 ? parseScopeLimit(values[0]) : undefined;
    const limit = ctx.hook ? (stored?.limit ?? ctx.config.defaultLimit) : ctx.config.defaultLimit;
    const counted = Math.max(limit, stored?.ceiling ?? 0);
    let slots = values.slice(limitKey.length);
    if (counted > width)
      slots = [...slots, ...(await ctx.cache.getBatch(strategy.placeKeys(scope, counted).slice(width)))];
    const places = strategy.placesFrom(slots.slice(0, counted));
    const sessions = await describePlaces(ctx.viewDeps, places, accountId, scope);
    return { accountId, limit, active: places.length, allowed: places.length < limit, sessions };
  }

  /** The check for strategies whose places are not one key each (the baselines). */
  private async entitlementByCalls(scope: ScopeRef, accountId: string): Promise<EntitlementView> {
    const stored = this.ctx.tracksLimits ? await this.ctx.scopeLimits.read(scope) : undefined;
    const limit = this.ctx.hook ? (stored?.limit ?? this.ctx.config.defaultLimit) : this.ctx.config.defaultLimit;
    const places = await this.ctx.strategy.active(scope, limit, Math.max(limit, stored?.ceiling ?? 0));
    const sessions = await describePlaces(this.ctx.viewDeps, places, accountId, scope);
    return { accountId, limit, active: places.length, allowed: places.length < limit, sessions };
  }

  async checkSession(accountId: string, sessionId: string): Promise<SessionView | undefined> {
    this.ctx.metrics.count('EntitlementChecks');
    try {
      return await withDeadline(
        this.sessionCheck(accountId, sessionId),
        this.ctx.config.momentoTimeoutMs,
        'session check',
      );
    } catch (error) {
      if (!isMomentoCallError(error)) throw error;
      this.ctx.metrics.count('MomentoErrors');
      this.ctx.logger.error('session check could not reach Momento', {
        accountId,
        kind: error.kind,
        error: errorNameAndMessage(error),
      });
      // A licence server asks this before renewing: it must never read "counted" from an outage.
      throw new MomentoUnavailableError(error);
    }
  }

  /**
   * One round trip, two calls side by side: the session record (gone once the session ended) and
   * its deadline in the shard's index (the shard follows from the account). With leases a session
   * holds its place until it ends, and it ends (record deleted) when its deadline passes, so a
   * passed deadline counts as ended even before the sweep notices. One call cannot do it: the
   * record is a scalar and the deadline a sorted-set score. Baselines also ask the strategy.
   */
  private async sessionCheck(accountId: string, sessionId: string): Promise<SessionView | undefined> {
    const { ctx } = this;
    const [record, deadlines] = await Promise.all([
      ctx.sessions.get(sessionId),
      ctx.cache.sortedSetScores(cacheKeys.deadlines(shardOf(accountId, ctx.config.topicShards)), [sessionId]),
    ]);
    if (!record || record.accountId !== accountId) return undefined;
    const now = ctx.now();
    if (record.endsAt !== undefined && now >= record.endsAt) return undefined;
    const deadline = deadlines.get(sessionId);
    if (deadline === undefined || deadline <= now) return undefined;
    if (!ctx.strategy.exact && !(await ctx.strategy.isHeld(ctx.scopeOf(record), holderOf(record), record.slot)))
      return undefined;
    return sessionView(record, deadline, ctx.config.leaseSeconds);
  }

  async endSession(accountId: string, sessionId: string): Promise<'ended' | 'not-found'> {
    try {
      return await withDeadline(
        this.endNow(accountId, sessionId),
        this.ctx.config.momentoTimeoutMs,
        'ending a session',
      );
    } catch (error) {
      if (!isMomentoCallError(error)) throw error;
      this.ctx.metrics.count('MomentoErrors');
      throw new MomentoUnavailableError(error);
    }
  }

  private async endNow(accountId: string, sessionId: string): Promise<'ended' | 'not-found'> {
    const record = await this.ctx.sessions.get(sessionId);
    if (!record || record.accountId !== accountId) return 'not-found';
    this.ctx.forget(sessionId);
    return (await this.ctx.lifecycle.end(record, 'ended-by-account', { release: true })) ? 'ended' : 'not-found';
  }
}
