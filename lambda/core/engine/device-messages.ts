import type { HeartbeatMessage } from '../heartbeat-message';
import { cacheKeys } from './cache-keys';
import { RECORD_MEMO_SIZE, type EngineContext } from './engine-context';
import type { DeviceMessageOutcome } from './engine-types';
import type { ScopeRef } from './scope';
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

  async heartbeat(accountId: string, message: HeartbeatMessage): Promise<DeviceMessageOutcome> {
    const record = await this.ctx.recordFor(message.sessionId);
    if (!record) return this.unknownSession(accountId, message.sessionId);
    if (record.accountId !== accountId || record.deviceId !== message.deviceId) return this.rejectForeign(accountId, message, record);
    const now = this.ctx.now();
    if (record.endsAt !== undefined && now >= record.endsAt) {
      this.ctx.forget(record.sessionId);
      await this.ctx.lifecycle.end(record, 'max-duration', { release: true });
      return 'max-duration';
    }
    const scope = this.ctx.scopeOf(record);
    const holder = holderOf(record);
    if (!(await this.ctx.strategy.refresh(scope, holder, record.slot))) {
      // The lease lapsed (this subscriber fell behind, or Momento failed for a while) or passed to
      // another device. A device still heartbeating gets its slot back if nobody took it and an
      // admission under the limit in force could take it now (never above a lowered limit).
      if (this.ctx.strategy.reclaim && (await this.ctx.cache.get(cacheKeys.ended(record.sessionId))) === undefined && (await this.reclaim(scope, record))) {
        await this.heartbeatDeadline(record, now);
        this.ctx.metrics.count('HeartbeatsProcessed');
        this.ctx.logger.info('lapsed lease restored by a late heartbeat', { sessionId: record.sessionId, accountId: record.accountId });
        return 'refreshed';
      }
      this.ctx.forget(record.sessionId);
      const ended = await this.ctx.lifecycle.end(record, 'lease-lost', { release: false });
      return ended ? 'lease-lost' : 'already-ended';
    }
    await this.heartbeatDeadline(record, now);
    this.ctx.metrics.count('HeartbeatsProcessed');
    return 'refreshed';
  }

  async stop(accountId: string, message: HeartbeatMessage): Promise<DeviceMessageOutcome> {
    const record = await this.ctx.recordFor(message.sessionId);
    if (!record) return 'already-ended';
    if (record.accountId !== accountId || record.deviceId !== message.deviceId) return this.rejectForeign(accountId, message, record);
    this.ctx.forget(record.sessionId);
    const ended = await this.ctx.lifecycle.end(record, 'stopped', { release: true });
    this.ctx.metrics.count('HeartbeatsProcessed');
    return ended ? 'stopped' : 'already-ended';
  }

  private async reclaim(scope: ScopeRef, record: SessionRecord): Promise<boolean> {
    const { limit, ceiling } = await this.ctx.limitInForce(scope, record);
    return this.ctx.strategy.reclaim!(scope, holderOf(record), record.slot, limit, ceiling);
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
