import { randomUUID } from 'node:crypto';
import { cacheKeys } from '../core/engine/cache-keys';
import { errorMessage } from '../core/error-message';
import type { CachePort, MomentoCallError } from '../core/ports/momento-ports';
import type { EngineLogger, EngineMetrics } from '../core/ports/observability';

/** Value of a lease its owner gave up on stopping: the standby may take it at once. */
export const RELEASED_OWNERSHIP = '~released';

export type OwnershipRole = 'active' | 'standby';

export interface ShardOwnershipOptions {
  readonly cache: CachePort;
  readonly shards: readonly number[];
  /** Lifetime of the lease in whole seconds; the owner renews it every third of that. */
  readonly ttlSeconds: number;
  /** This process became the owner: subscribe and sweep. */
  readonly onActive: () => void;
  /** This process lost (or gave up) the lease: stop receiving heartbeats. */
  readonly onStandby: () => void;
  /**
   * Asked before each renewal: false (the processor's queue is stuck) gives the lease up, so the
   * standby takes over instead of a subscriber that no longer processes what it receives.
   */
  readonly canLead: () => boolean;
  readonly logger: EngineLogger;
  readonly metrics: EngineMetrics;
  readonly now: () => number;
}

/**
 * One active processor per set of shards. The processes of a shard set race for a lease in the
 * cache (`setIfAbsentOrEqual` against a free or released lease, with a TTL); the winner subscribes
 * and renews it every third of its TTL (`setIfEqual` on its own id), the others stand by without
 * subscribing and try again at the same pace, so a standby costs one conditional write per check,
 * not a delivery and a cache call per heartbeat. When the owner dies its lease runs out and a
 * standby takes over within TTL + one check + a subscribe.
 *
 * The lease is an economy, not a safety: two processes that both believe they own the shards (a
 * renewal that failed on a network error keeps the owner going) do what two side-by-side
 * subscribers always did, which the engine keeps exact.
 */
export class ShardOwnership {
  readonly id = randomUUID();
  private roleNow: OwnershipRole = 'standby';
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private checking: Promise<void> | undefined;
  /** After giving the lease up, stay out of the race for one TTL so another process wins it. */
  private holdOffUntil = 0;
  private readonly key: string;
  private readonly checkMs: number;
  private checks = 0;
  private takeovers = 0;
  /** Why the last check failed (cleared by one that is answered): a missing cache, a refused key. */
  private failure: { kind?: MomentoCallError['kind']; message: string } | undefined;

  constructor(private readonly options: ShardOwnershipOptions) {
    this.key = cacheKeys.subscriberOwner(options.shards);
    this.checkMs = Math.max(100, Math.floor((options.ttlSeconds * 1000) / 3));
  }

  get role(): OwnershipRole {
    return this.roleNow;
  }

  /** Checks answered or failed (renewals and tries), times this process became the owner, the last check's failure. */
  stats(): {
    role: OwnershipRole;
    checks: number;
    takeovers: number;
    checkMs: number;
    ttlSeconds: number;
    failure?: { kind?: MomentoCallError['kind']; message: string };
  } {
    return {
      role: this.roleNow,
      checks: this.checks,
      takeovers: this.takeovers,
      checkMs: this.checkMs,
      ttlSeconds: this.options.ttlSeconds,
      failure: this.failure,
    };
  }

  /** Resolves after the first check: the process then knows its role. */
  async start(): Promise<void> {
    await this.check();
    this.schedule();
  }

  /** Stops checking; an owner releases its lease so the standby takes over at its next check. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.checking;
    if (this.roleNow !== 'active') return;
    this.roleNow = 'standby';
    await this.release();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.check().finally(() => this.schedule()), this.checkMs);
    this.timer.unref();
  }

  private check(): Promise<void> {
    this.checking = (this.roleNow === 'active' ? this.renew() : this.tryToTake()).finally(
      () => (this.checking = undefined),
    );
    return this.checking;
  }

  private async renew(): Promise<void> {
    const { cache, ttlSeconds, logger } = this.options;
    if (!this.options.canLead()) {
      logger.error('heartbeat subscriber gives up its shards: its queue makes no progress; the standby takes over', {
        shards: this.options.shards,
      });
      this.stepDown();
      this.holdOffUntil = this.options.now() + ttlSeconds * 1000;
      await this.release();
      return;
    }
    try {
      // A renewal made late (a starved event loop) may find the lease run out: nobody else took
      // it, so it is taken again at once, without the gap of standing down and resubscribing.
      const renewed =
        (await cache.setIfEqual(this.key, this.id, this.id, ttlSeconds)) ||
        (await cache.setIfAbsentOrEqual(this.key, this.id, RELEASED_OWNERSHIP, ttlSeconds));
      this.failure = undefined;
      this.checks += 1;
      if (renewed) return;
      logger.warn('heartbeat subscriber lost its shards to another process; standing by', {
        shards: this.options.shards,
      });
      this.stepDown();
    } catch (error) {
      // Cannot tell: keep going. Two owners for a while cost twice, they do not break anything.
      this.failed(error);
      this.options.metrics.count('MomentoErrors');
      logger.warn('cannot renew the shard ownership; still processing', {
        shards: this.options.shards,
        error: errorMessage(error),
      });
    }
  }

  private async tryToTake(): Promise<void> {
    if (this.stopped || this.options.now() < this.holdOffUntil) return;
    try {
      const taken = await this.options.cache.setIfAbsentOrEqual(
        this.key,
        this.id,
        RELEASED_OWNERSHIP,
        this.options.ttlSeconds,
      );
      this.failure = undefined;
      this.checks += 1;
      if (!taken) return;
    } catch (error) {
      this.failed(error);
      this.options.metrics.count('MomentoErrors');
      this.options.logger.warn('cannot check the shard ownership; standing by', {
        shards: this.options.shards,
        error: errorMessage(error),
      });
      return;
    }
    if (this.stopped) {
      await this.release();
      return;
    }
    this.roleNow = 'active';
    this.takeovers += 1;
    this.options.logger.info('heartbeat subscriber owns its shards: subscribing', {
      shards: this.options.shards,
      ttlSeconds: this.options.ttlSeconds,
    });
    this.options.onActive();
  }

  private failed(error: unknown): void {
    this.checks += 1;
    this.failure = { kind: (error as Partial<MomentoCallError>).kind, message: errorMessage(error) };
  }

  private stepDown(): void {
    this.roleNow = 'standby';
    this.options.onStandby();
  }

  private async release(): Promise<void> {
    try {
      await this.options.cache.setIfEqual(this.key, RELEASED_OWNERSHIP, this.id, this.options.ttlSeconds);
    } catch {
      // It runs out by itself within one TTL.
    }
  }
}
