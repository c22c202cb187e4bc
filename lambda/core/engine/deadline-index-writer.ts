import { cacheKeys } from './cache-keys';
import type { CachePort } from '../ports/momento-ports';
import { noMetrics, silentLogger, type EngineLogger, type EngineMetrics } from '../ports/observability';
import { errorMessage } from '../error-message';

/** How long deadline updates gather before one write per shard, by default (ms). */
export const DEADLINE_WRITE_WINDOW_MS = 50;
/** How many waiting sessions make a shard's write go at once, by default. */
export const DEADLINE_WRITE_MAX_BATCH = 200;

export interface DeadlineIndexWriterOptions {
  readonly cache: CachePort;
  /** TTL of each shard's deadline index, in seconds. */
  readonly ttlSeconds: number;
  /** How long updates gather before one write per shard. Default {@link DEADLINE_WRITE_WINDOW_MS}. */
  readonly windowMs?: number;
  /** A shard with this many waiting sessions is written at once. Default {@link DEADLINE_WRITE_MAX_BATCH}. */
  readonly maxBatch?: number;
  readonly metrics?: EngineMetrics;
  readonly logger?: EngineLogger;
}

/**
 * Batches the subscriber's writes to the deadline index (`cacheKeys.deadlines(shard)`): updates
 * gather for a short window and each shard gets one SortedSetPut with the newest deadline of every
 * session, instead of one call per heartbeat. Callers do not wait for the write; a failed write is
 * counted and logged, never thrown, and the session's next heartbeat writes its deadline again.
 * The index is only a hint for the sweep (it checks the lease before ending a session), and
 * {@link pendingDeadline} lets it see deadlines not written yet.
 */
export class DeadlineIndexWriter {
  private readonly windowMs: number;
  private readonly maxBatch: number;
  private readonly metrics: EngineMetrics;
  private readonly logger: EngineLogger;
  /** Per shard: session id → newest deadline not yet handed to the cache. */
  private waiting = new Map<number, Map<string, number>>();
  /** Per session: the deadline of a write under way, until it is answered. */
  private readonly writing = new Map<string, number>();
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: DeadlineIndexWriterOptions) {
    this.windowMs = options.windowMs ?? DEADLINE_WRITE_WINDOW_MS;
    this.maxBatch = options.maxBatch ?? DEADLINE_WRITE_MAX_BATCH;
    this.metrics = options.metrics ?? noMetrics;
    this.logger = options.logger ?? silentLogger;
  }

  /** Queues a session's deadline (epoch ms); a later one for the same session replaces it. */
  record(shard: number, sessionId: string, deadline: number): void {
    let sessions = this.waiting.get(shard);
    if (!sessions) this.waiting.set(shard, (sessions = new Map()));
    sessions.set(sessionId, Math.max(deadline, sessions.get(sessionId) ?? deadline));
    if (sessions.size >= this.maxBatch) {
      this.waiting.delete(shard);
      this.write(shard, sessions);
    } else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.windowMs);
      this.timer.unref?.();
    }
  }

  /** Drops a session's queued deadline (it ended: its entry must not come back). */
  discard(shard: number, sessionId: string): void {
    this.waiting.get(shard)?.delete(sessionId);
  }

  /** The newest deadline of a session that is queued or being written, if any. */
  pendingDeadline(shard: number, sessionId: string): number | undefined {
    const queued = this.waiting.get(shard)?.get(sessionId);
    const written = this.writing.get(sessionId);
    if (queued === undefined) return written;
    return written === undefined ? queued : Math.max(queued, written);
  }

  /** Writes everything queued now and waits for every write under way (the subscriber's stop). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const shards = this.waiting;
    this.waiting = new Map();
    shards.forEach((sessions, shard) => this.write(shard, sessions));
    await Promise.all([...this.inFlight]);
  }

  private requeue(shard: number, elements: readonly { element: string; score: number }[]): void {
    for (const { element, score } of elements) {
      let sessions = this.waiting.get(shard);
      if (!sessions) this.waiting.set(shard, (sessions = new Map()));
      sessions.set(element, Math.max(score, sessions.get(element) ?? score));
    }
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.windowMs);
      this.timer.unref?.();
    }
  }

  private write(shard: number, sessions: Map<string, number>): void {
    const elements = [...sessions].map(([element, score]) => ({ element, score }));
    elements.forEach(({ element, score }) =>
      this.writing.set(element, Math.max(score, this.writing.get(element) ?? score)),
    );
    const done = this.options.cache
      .sortedSetPutMany(cacheKeys.deadlines(shard), elements, this.options.ttlSeconds)
      .catch((error: unknown) => {
        this.metrics.count('MomentoErrors');
        // Queued again (unless a newer deadline is already waiting): the index is what the sweep
        // ends sessions by, so a lost write must not pass for a silent device.
        this.requeue(shard, elements);
        this.logger.warn('deadline index write failed; queued again for the next write', {
          shard,
          sessions: elements.length,
          error: errorMessage(error),
        });
      })
      .finally(() => {
        this.inFlight.delete(done);
        // Keep a newer deadline whose own write is still under way.
        elements.forEach(({ element, score }) => {
          if (this.writing.get(element) === score) this.writing.delete(element);
        });
      });
    this.inFlight.add(done);
  }
}
