import type { ConcurrencyEngine, DeviceMessageOutcome } from '../core/engine/engine-types';
import { parseHeartbeatMessage, type HeartbeatMessage } from '../core/messages/heartbeat-message';
import type { TopicMessage } from '../core/ports/momento-ports';
import type { EngineLogger, EngineMetrics } from '../core/ports/observability';
import type { SessionKeys } from '../core/messages/session-key';
import { AccountRoundRobin } from './account-round-robin';
import { UnknownSessionBudget } from './unknown-session-budget';
import { errorNameAndMessage } from '../core/error-message';

export interface ProcessorStats {
  received: number;
  rejected: number;
  /** Dropped because the queue was full (the subscriber is overloaded). */
  shed: number;
  /** Dropped by a per-account bound (queue share, or work on sessions not known live). */
  throttled: number;
  /** Heartbeats superseded by a newer message of the same session while waiting. */
  coalesced: number;
  failed: number;
  outcomes: Record<DeviceMessageOutcome, number>;
}

/** The stats of a processor that has received nothing yet (a new object each call). */
export function noProcessorStats(): ProcessorStats {
  return {
    received: 0,
    rejected: 0,
    shed: 0,
    throttled: 0,
    coalesced: 0,
    failed: 0,
    outcomes: { refreshed: 0, stopped: 0, 'lease-lost': 0, 'max-duration': 0, 'already-ended': 0, rejected: 0 },
  };
}

/** The per-account bounds of a {@link DeviceMessageProcessor}. */
export interface DeviceMessageProcessorOptions {
  /** Checks each message's session key; a message without the right key never reaches the engine. */
  readonly sessionKeys: SessionKeys;
  /** Messages of one account waiting at most. Default 1 000. */
  readonly maxQueuedPerAccount?: number;
  /** Messages per second and account about sessions not known live (token bucket rate). Default 10. */
  readonly unknownSessionsPerSecond?: number;
  /** Burst of such messages per account. Default 100 (the largest limit, so a full account restarts at once). */
  readonly unknownSessionBurst?: number;
  /**
   * How long one message may hold a worker. A message whose Momento calls have not answered by
   * then is counted failed and its worker moves on (the calls finish or fail in the background;
   * what they write expires by itself). Without it, calls that never answer hold every worker and
   * the queue stops, with no error and an idle CPU. Default 8 s.
   */
  readonly messageTimeoutMs?: number;
  readonly now?: () => number;
}

/** One waiting message; the newest heartbeat of its session replaces it while it waits. */
interface Waiting {
  readonly key: string;
  readonly accountId: string;
  message: HeartbeatMessage;
  readonly charged: boolean;
}

/**
 * Validates each topic item and hands it to the engine with bounded concurrency. The account is
 * the item's token id (stamped by Momento), never a field of the body, and the session key proves
 * the session's own device sent it; both are checked here, before any queue or cache read. Work is
 * bounded and queued per account and handed out in turns, so one account's flood cannot make
 * another account's heartbeats wait or be shed. Nothing here throws: a bad message is counted and
 * dropped.
 */
export class DeviceMessageProcessor {
  private readonly counts = noProcessorStats();
  /**
   * The waiting message of each session (by publisher account and session id). Only the newest
   * heartbeat matters, so after an outage the backlog is one message per session, not one per
   * heartbeat, and every lease is refreshed quickly; a waiting stop is never replaced.
   */
  private readonly waiting = new Map<string, Waiting>();
  private readonly queue = new AccountRoundRobin<Waiting>();
  private readonly budget: UnknownSessionBudget;
  private readonly sessionKeys: SessionKeys;
  private readonly maxQueuedPerAccount: number;
  private running = 0;
  private readonly messageTimeoutMs: number;
  private readonly now: () => number;
  /** When a message last finished, or the processor was last idle: how a stuck queue is told. */
  private progressAt: number;
  private idleWaiters: (() => void)[] = [];
  /** Last time each rejection reason was logged: a flood of bad messages logs once a second. */
  private readonly lastLogged = new Map<string, number>();
  /** Per account: when its throttling was last logged, and how many were dropped since. */
  private readonly throttleLog = new Map<string, { at: number; since: number }>();

  constructor(
    private readonly engine: ConcurrencyEngine,
    private readonly metrics: EngineMetrics,
    private readonly logger: EngineLogger,
    private readonly maxConcurrency: number,
    private readonly maxQueued: number,
    options: DeviceMessageProcessorOptions,
  ) {
    if (!Number.isInteger(maxConcurrency) || maxConcurrency < 1)
      throw new Error(`concurrency must be a whole number of 1 or more, got ${maxConcurrency}`);
    this.sessionKeys = options.sessionKeys;
    this.maxQueuedPerAccount = options.maxQueuedPerAccount ?? 1000;
    this.messageTimeoutMs = options.messageTimeoutMs ?? 8000;
    this.now = options.now ?? Date.now;
    this.progressAt = this.now();
    this.budget = new UnknownSessionBudget(
      options.unknownSessionsPerSecond ?? 10,
      options.unknownSessionBurst ?? 100,
      this.now,
    );
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
    const { sessionKey, ...message } = parsed.message;
    if (!this.sessionKeys.verify({ accountId, sessionId: message.sessionId, deviceId: message.deviceId }, sessionKey)) {
      // A sibling device (same account token) in another session's name, or a made-up session.
      this.reject(
        'session-key',
        'the session key does not prove this session and device',
        accountId,
        message.sessionId,
      );
      return;
    }
    const key = `${accountId}|${message.sessionId}`;
    const queued = this.waiting.get(key);
    if (queued) {
      if (queued.message.type !== 'stop') queued.message = message;
      this.counts.coalesced += 1;
      return;
    }
    if (this.queue.sizeOf(accountId) >= this.maxQueuedPerAccount) {
      this.throttle(accountId, 'account-queue-full');
      return;
    }
    if (this.queue.size >= this.maxQueued && !this.makeRoomFor(accountId)) return;
    const budget = this.budget.take(accountId, message.sessionId);
    if (budget === 'refused') {
      this.throttle(accountId, 'unknown-sessions');
      return;
    }
    const entry: Waiting = { key, accountId, message, charged: budget === 'charged' };
    this.waiting.set(key, entry);
    this.queue.push(accountId, entry);
    this.pump();
  }

  /** Messages accepted but not started yet (the subscriber is behind when this grows). */
  get backlog(): number {
    return this.queue.size;
  }

  /** Resolves when every accepted message has been processed (drain on shutdown). */
  drain(): Promise<void> {
    if (this.running === 0 && this.queue.size === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  get inFlight(): number {
    return this.running + this.queue.size;
  }

  /** How long accepted work has waited without any message finishing (0 while idle or moving). */
  stalledForMs(): number {
    if (this.running === 0 && this.queue.size === 0) return 0;
    return Math.max(0, this.now() - this.progressAt);
  }

  stats(): ProcessorStats {
    return { ...this.counts, outcomes: { ...this.counts.outcomes } };
  }

  /**
   * The shared queue is full. The account with the most waiting work gives up its newest message;
   * when that is the arriving message's own account (or an equal share), the arriving one is
   * dropped. So shedding falls on whoever floods, never on an account with a fair share.
   */
  private makeRoomFor(accountId: string): boolean {
    const share = this.maxQueued / Math.max(1, this.queue.accounts);
    const own = this.queue.sizeOf(accountId);
    const longest = own >= share ? accountId : this.queue.longest();
    if (longest === undefined || longest === accountId || this.queue.sizeOf(longest) <= own + 1) {
      this.shed(accountId);
      return false;
    }
    const dropped = this.queue.dropNewest(longest)!;
    this.waiting.delete(dropped.key);
    if (dropped.charged) this.budget.settle(dropped.accountId, dropped.message.sessionId, true, 'failed');
    this.shed(longest);
    return true;
  }

  private pump(): void {
    if (this.running === 0) this.progressAt = this.now(); // idle until now: nothing was held up
    while (this.running < this.maxConcurrency) {
      const next = this.queue.shift();
      if (!next) break;
      this.waiting.delete(next.key);
      this.running += 1;
      void this.work(next);
    }
    if (this.running === 0 && this.queue.size === 0) this.idleWaiters.splice(0).forEach((resolve) => resolve());
  }

  private async work(entry: Waiting): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const bound = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${this.messageTimeoutMs} ms; the worker moves on`)),
          this.messageTimeoutMs,
        );
        timer.unref?.();
      });
      const outcome = await Promise.race([this.engine.handleDeviceMessage(entry.accountId, entry.message), bound]);
      this.counts.outcomes[outcome] += 1;
      this.budget.settle(entry.accountId, entry.message.sessionId, entry.charged, outcome);
    } catch (error) {
      this.counts.failed += 1;
      this.budget.settle(entry.accountId, entry.message.sessionId, entry.charged, 'failed');
      this.metrics.count('MomentoErrors');
      this.logOnce('failed', 'device message not processed', {
        sessionId: entry.message.sessionId,
        error: errorNameAndMessage(error),
      });
    } finally {
      clearTimeout(timer);
      this.progressAt = this.now();
      this.running -= 1;
      this.pump();
    }
  }

  private shed(accountId: string): void {
    this.counts.shed += 1;
    this.metrics.count('HeartbeatsRejected');
    this.logOnce('shed', 'subscriber overloaded: message dropped', { queued: this.queue.size, accountId });
  }

  /**
   * A per-account bound dropped a message. Counted in `HeartbeatsThrottled` (alarmable) and logged
   * at most every 10 s per account with the account id and how many were dropped since the last line.
   */
  private throttle(accountId: string, reason: 'account-queue-full' | 'unknown-sessions'): void {
    this.counts.throttled += 1;
    this.metrics.count('HeartbeatsThrottled');
    const now = Date.now();
    let log = this.throttleLog.get(accountId);
    if (!log) {
      log = { at: 0, since: 0 };
      this.throttleLog.set(accountId, log);
      if (this.throttleLog.size > 10_000) this.throttleLog.delete(this.throttleLog.keys().next().value!);
    }
    log.since += 1;
    if (now - log.at < 10_000) return;
    this.logger.warn('device messages throttled for one account', { accountId, reason, throttled: log.since });
    log.at = now;
    log.since = 0;
  }

  private reject(reason: string, detail: string, accountId?: string, sessionId?: string): void {
    this.counts.rejected += 1;
    this.metrics.count('HeartbeatsRejected');
    this.logOnce(`reject:${reason}`, 'device message rejected', { reason, detail, accountId, sessionId });
  }

  private logOnce(key: string, message: string, fields: Record<string, unknown>): void {
    const now = Date.now();
    if (now - (this.lastLogged.get(key) ?? 0) < 1000) return;
    this.lastLogged.set(key, now);
    this.logger.warn(message, fields);
  }
}
