import { ConcurrencyLimiter } from '../core/concurrency-limiter';
import type { ConcurrencyEngine, DeviceMessageOutcome } from '../core/engine-types';
import { parseHeartbeatMessage, type HeartbeatMessage } from '../core/heartbeat-message';
import type { TopicMessage } from '../core/momento-ports';
import type { EngineLogger, EngineMetrics } from '../core/observability-ports';

export interface ProcessorStats {
  received: number;
  rejected: number;
  /** Dropped because the queue was full (the subscriber is overloaded). */
  shed: number;
  /** Heartbeats superseded by a newer message of the same session while waiting. */
  coalesced: number;
  failed: number;
  outcomes: Record<DeviceMessageOutcome, number>;
}

/**
 * Validates each topic item and hands it to the engine with bounded concurrency. The account is
 * the item's token id (stamped by Momento), never a field of the body. Nothing here throws: a bad
 * message is counted and dropped.
 */
export class DeviceMessageProcessor {
  private readonly limiter: ConcurrencyLimiter;
  private readonly counts: ProcessorStats = {
    received: 0,
    rejected: 0,
    shed: 0,
    coalesced: 0,
    failed: 0,
    outcomes: { refreshed: 0, stopped: 0, 'lease-lost': 0, 'max-duration': 0, 'already-ended': 0, rejected: 0 },
  };
  /**
   * The latest waiting message of each session (by publisher account and session id). Only the
   * newest heartbeat matters, so after an outage the backlog is one message per session, not one
   * per heartbeat, and every lease is refreshed quickly; a waiting stop is never replaced.
   */
  private readonly waiting = new Map<string, { accountId: string; message: HeartbeatMessage }>();
  /** Last time each rejection reason was logged: a flood of bad messages logs once a second. */
  private readonly lastLogged = new Map<string, number>();

  constructor(
    private readonly engine: ConcurrencyEngine,
    private readonly metrics: EngineMetrics,
    private readonly logger: EngineLogger,
    maxConcurrency: number,
    private readonly maxQueued: number,
  ) {
    this.limiter = new ConcurrencyLimiter(maxConcurrency);
  }

  submit(item: TopicMessage): void {
    this.counts.received += 1;
    const accountId = item.tokenId;
    if (!accountId) {
      this.reject('no-token-id', 'message published without a token id (not a device token)');
      return;
    }
    const parsed = parseHeartbeatMessage(item.value);
    if (!parsed.ok) {
      this.reject(parsed.reason, parsed.detail, accountId);
      return;
    }
    const key = `${accountId}|${parsed.message.sessionId}`;
    const queued = this.waiting.get(key);
    if (queued) {
      if (queued.message.type !== 'stop') queued.message = parsed.message;
      this.counts.coalesced += 1;
      return;
    }
    if (this.limiter.queued >= this.maxQueued) {
      this.counts.shed += 1;
      this.metrics.count('HeartbeatsRejected');
      this.logOnce('shed', 'subscriber overloaded: message dropped', { queued: this.limiter.queued });
      return;
    }
    this.waiting.set(key, { accountId, message: parsed.message });
    // Outcomes are counted inside the task, so a drained limiter means every count is in.
    void this.limiter.run(async () => {
      const next = this.waiting.get(key)!;
      this.waiting.delete(key);
      try {
        this.counts.outcomes[await this.engine.handleDeviceMessage(next.accountId, next.message)] += 1;
      } catch (error) {
        this.counts.failed += 1;
        this.metrics.count('MomentoErrors');
        this.logOnce('failed', 'device message not processed', {
          sessionId: next.message.sessionId,
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        });
      }
    });
  }

  /** Messages accepted but not started yet (the subscriber is behind when this grows). */
  get backlog(): number {
    return this.limiter.queued;
  }

  /** Resolves when every accepted message has been processed (drain on shutdown). */
  drain(): Promise<void> {
    return this.limiter.idle();
  }

  get inFlight(): number {
    return this.limiter.active + this.limiter.queued;
  }

  stats(): ProcessorStats {
    return { ...this.counts, outcomes: { ...this.counts.outcomes } };
  }

  private reject(reason: string, detail: string, accountId?: string): void {
    this.counts.rejected += 1;
    this.metrics.count('HeartbeatsRejected');
    this.logOnce(`reject:${reason}`, 'device message rejected', { reason, detail, accountId });
  }

  private logOnce(key: string, message: string, fields: Record<string, unknown>): void {
    const now = Date.now();
    if (now - (this.lastLogged.get(key) ?? 0) < 1000) return;
    this.lastLogged.set(key, now);
    this.logger.warn(message, fields);
  }
}
