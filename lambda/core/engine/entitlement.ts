import { isMomentoCallError } from '../momento-ports';
import { cacheKeys } from './cache-keys';
import { withDeadline } from './deadline';
import type { EngineContext } from './engine-context';
import type { EntitlementView, SessionView } from './engine-types';
import { MomentoUnavailableError } from './momento-unavailable-error';
import { resolveScope, type ScopeRef } from './scope';
import { describeError } from './session-lifecycle';
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
      return await withDeadline(this.entitlement(scope, accountId), this.ctx.config.momentoTimeoutMs, 'entitlement check');
    } catch (error) {
      if (!isMomentoCallError(error)) throw error;
      this.ctx.metrics.count('MomentoErrors');
      this.ctx.logger.error('entitlement check could not reach Momento', { accountId, failureMode: this.ctx.config.failureMode, kind: error.kind, error: describeError(error) });
      if (!this.ctx.failsOpen(error)) throw new MomentoUnavailableError(error);
      this.ctx.metrics.count('AdmissionsDegraded');
      return { accountId, limit: this.ctx.config.defaultLimit, active: 0, allowed: true, sessions: [], degraded: true };
    }
  }

  private async entitlement(scope: ScopeRef, accountId: string): Promise<EntitlementView> {
    const stored = this.ctx.tracksLimits ? await this.ctx.scopeLimits.read(scope) : undefined;
    const limit = this.ctx.hook ? (stored?.limit ?? this.ctx.config.defaultLimit) : this.ctx.config.defaultLimit;
    const places = await this.ctx.strategy.active(scope, limit, Math.max(limit, stored?.ceiling ?? 0));
    const sessions = await describePlaces(this.ctx.viewDeps, places, accountId, scope);
    return { accountId, limit, active: places.length, allowed: places.length < limit, sessions };
  }

  async checkSession(accountId: string, sessionId: string): Promise<SessionView | undefined> {
    this.ctx.metrics.count('EntitlementChecks');
    try {
      return await withDeadline(this.sessionCheck(accountId, sessionId), this.ctx.config.momentoTimeoutMs, 'session check');
    } catch (error) {
      if (!isMomentoCallError(error)) throw error;
      this.ctx.metrics.count('MomentoErrors');
      this.ctx.logger.error('session check could not reach Momento', { accountId, kind: error.kind, error: describeError(error) });
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
    const record = await this.ctx.sessions.get(sessionId);
    if (!record || record.accountId !== accountId) return undefined;
    if (record.endsAt !== undefined && this.ctx.now() >= record.endsAt) return undefined;
    const [held, deadlines] = await Promise.all([
      this.ctx.strategy.isHeld(this.ctx.scopeOf(record), holderOf(record), record.slot),
      this.ctx.cache.sortedSetScores(cacheKeys.deadlines(record.shard), [record.sessionId]),
    ]);
    if (!held) return undefined;
    return sessionView(record, deadlines.get(record.sessionId), this.ctx.config.leaseSeconds);
  }

  async endSession(accountId: string, sessionId: string): Promise<'ended' | 'not-found'> {
    try {
      return await withDeadline(this.endNow(accountId, sessionId), this.ctx.config.momentoTimeoutMs, 'ending a session');
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
