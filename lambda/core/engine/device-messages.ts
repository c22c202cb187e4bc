import type { HeartbeatMessage } from '../messages/heartbeat-message';
import { cacheKeys } from './cache-keys';
import { RECORD_MEMO_SIZE, type EngineContext, type HeardSession } from './engine-context';
import type { DeviceMessageOutcome } from './engine-types';
import { shardOf, type ScopeRef } from './scope';
import { controlMessageForEnd } from './session-lifecycle';
import { holderOf, type SessionRecord } from './session-store';

/**
 * Device messages, as the subscriber hands them over after checking their session key: a heartbeat
 * keeps the session's place (or restores a lapsed one, or tells the device it is gone), a stop
 * releases it at once.
 */
export class DeviceMessages {
  /** Sessions already told that their lease is gone, so a chatty device is told once. */
  private readonly toldLost = new Map<string, number>();

  constructor(private readonly ctx: EngineContext) {}

  handleDeviceMessage(accountId: string, message: HeartbeatMessage): Promise<DeviceMessageOutcome> {
    return message.type === 'stop' ? this.stop(accountId, message) : this.heartbeat(accountId, message);
  }

  /**
   * A heartbeat costs no cache call of its own: its deadline is queued for the batched index
   * write. Only the first heartbeat this process hears of a session reads its record and deadline
   * and renews its lease once (so it lives as long as the record, in the current form), and a
   * heartbeat that comes after its deadline passed checks that the session may keep its place.
   */
  async heartbeat(accountId: string, message: HeartbeatMessage): Promise<DeviceMessageOutcome> {
    const { ctx } = this;
    const heard = ctx.heardOf(message.sessionId);
    const session = heard ?? (await this.firstHeard(accountId, message.sessionId));
    if (!session) return this.unknownSession(accountId, message.sessionId);
    const { record } = session;
    if (record.accountId !== accountId || record.deviceId !== message.deviceId)
      return this.rejectForeign(accountId, message, record);
    const now = ctx.now();
    if (record.endsAt !== undefined && now >= record.endsAt) {
      this.forget(record);
      await ctx.lifecycle.end(record, 'max-duration', { release: true });
      return 'max-duration';
    }
    const scope = ctx.scopeOf(record);
    const holder = holderOf(record);
    // Baselines count heartbeats themselves; a lease is renewed once per session and process.
    const renew = !ctx.strategy.exact || heard === undefined;
    if (renew && !(await ctx.strategy.refresh(scope, holder, record.slot))) {
      // The lease lapsed (written by an earlier version with a short TTL) or passed to another
      // device. A device still heartbeating gets its slot back if nobody took it and an admission
      // under the limit in force could take it now (never above a lowered limit).
      if (
        ctx.strategy.reclaim &&
        (await ctx.cache.get(cacheKeys.ended(record.sessionId))) === undefined &&
        (await this.reclaim(scope, record))
      ) {
        ctx.logger.info('lapsed lease restored by a late heartbeat', {
          sessionId: record.sessionId,
          accountId: record.accountId,
        });
        return this.heard(record, now);
      }
      return this.lost(record, false);
    }
    if (ctx.strategy.exact && (session.deadline === undefined || now >= session.deadline)) {
      // Silent for a whole lease as far as the index and this process know (the subscriber fell
      // behind, or Momento failed for a while), yet not ended: it keeps its place only where an
      // admission under the limit in force would admit it now (never above a lowered limit).
      if (!(await this.mayKeep(scope, record))) return this.lost(record, true);
      ctx.logger.info('lapsed lease restored by a late heartbeat', {
        sessionId: record.sessionId,
        accountId: record.accountId,
      });
    }
    return this.heard(record, now);
  }

  async stop(accountId: string, message: HeartbeatMessage): Promise<DeviceMessageOutcome> {
    const record = this.ctx.heardOf(message.sessionId)?.record ?? (await this.ctx.sessions.get(message.sessionId));
    if (!record) return 'already-ended';
    if (record.accountId !== accountId || record.deviceId !== message.deviceId)
      return this.rejectForeign(accountId, message, record);
    this.forget(record);
    const ended = await this.ctx.lifecycle.end(record, 'stopped', { release: true });
    this.ctx.metrics.count('HeartbeatsProcessed');
    return ended ? 'stopped' : 'already-ended';
  }

  /** The first heartbeat this process hears of a session: its record and index deadline, side by side. */
  private async firstHeard(accountId: string, sessionId: string): Promise<HeardSession | undefined> {
    const { ctx } = this;
    const [record, deadlines] = await Promise.all([
      ctx.sessions.get(sessionId),
      ctx.cache.sortedSetScores(cacheKeys.deadlines(shardOf(accountId, ctx.config.topicShards)), [sessionId]),
    ]);
    return record && { record, deadline: deadlines.get(sessionId) };
  }

  /** A heartbeat accepted: its deadline queued (or written, without a batch writer) and remembered. */
  private async heard(record: SessionRecord, now: number): Promise<DeviceMessageOutcome> {
    const deadline = now + this.ctx.config.leaseSeconds * 1000;
    this.ctx.hear(record, deadline);
    await this.heartbeatDeadline(record, now);
    this.ctx.metrics.count('HeartbeatsProcessed');
    return 'refreshed';
  }

  /** The session lost its place: ended (and told) once. */
  private async lost(record: SessionRecord, release: boolean): Promise<DeviceMessageOutcome> {
    this.forget(record);
    const ended = await this.ctx.lifecycle.end(record, 'lease-lost', { release });
    return ended ? 'lease-lost' : 'already-ended';
  }

  private forget(record: SessionRecord): void {
    this.ctx.forget(record.sessionId);
    this.ctx.deadlineWriter?.discard(record.shard, record.sessionId);
  }

  private async reclaim(scope: ScopeRef, record: SessionRecord): Promise<boolean> {
    const { limit, ceiling } = await this.ctx.limitInForce(scope, record);
    return this.ctx.strategy.reclaim!(scope, holderOf(record), record.slot, limit, ceiling);
  }

  /**
   * Whether a session that still holds its place may keep it after its deadline passed: its slot
   * is below the limit in force and the scope holds no more than the limit with it.
   */
  private async mayKeep(scope: ScopeRef, record: SessionRecord): Promise<boolean> {
    const { limit, ceiling } = await this.ctx.limitInForce(scope, record);
    if (record.slot === undefined || record.slot >= limit) return false;
    const places = await this.ctx.strategy.active(scope, limit, ceiling);
    const own = places.some((place) => place.slot === record.slot && place.holder.sessionId === record.sessionId);
    return own && places.length <= limit;
  }

  private rejectForeign(accountId: string, message: HeartbeatMessage, record: SessionRecord): DeviceMessageOutcome {
    this.ctx.metrics.count('HeartbeatsRejected');
    this.ctx.logger.warn('device message for a session of another account or device dropped', {
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
    const endedFor = await this.ctx.cache.get(cacheKeys.ended(sessionId));
    const control = endedFor === undefined ? 'expired' : controlMessageForEnd(endedFor);
    if (control !== undefined) {
      const now = this.ctx.now();
      const toldAt = this.toldLost.get(sessionId);
      if (toldAt === undefined || now - toldAt > this.ctx.config.leaseSeconds * 1000) {
        this.toldLost.set(sessionId, now);
        if (this.toldLost.size > RECORD_MEMO_SIZE) this.toldLost.delete(this.toldLost.keys().next().value!);
        await this.ctx.lifecycle.tell(accountId, sessionId, control, endedFor ?? 'lease-lost');
      }
    }
    return endedFor === undefined ? 'lease-lost' : 'already-ended';
  }

  /** The heartbeat's deadline update: queued for the batch writer when there is one, else written now. */
  private async heartbeatDeadline(record: SessionRecord, heartbeatAt: number): Promise<void> {
    if (!this.ctx.deadlineWriter) return this.ctx.touchDeadline(record, heartbeatAt);
    this.ctx.deadlineWriter.record(record.shard, record.sessionId, heartbeatAt + this.ctx.config.leaseSeconds * 1000);
  }

  async flushDeadlineIndex(): Promise<void> {
    await this.ctx.deadlineWriter?.flush();
  }
}
