import { cacheKeys } from './cache-keys';
import { mapWithConcurrency } from './concurrency-limiter';
import type { EngineContext } from './engine-context';
import type { SessionRecord } from './session-store';

/** Expired sessions handled per shard and sweep. */
const SWEEP_BATCH = 200;

/** Expiry: the sweep that ends sessions whose lease or maximum duration ran out, each once. */
export class Expiry {
  constructor(private readonly ctx: EngineContext) {}

  /**
   * With leases the deadline index is what ends a silent session: its lease is a claim that lives
   * as long as the session, so the sweep releases it (`setIfEqual` to the free marker). Sessions
   * whose deadline falls within `lookaheadMs` are ended now (the subscriber passes its sweep
   * period, so a crashed device is released within one lease of its last heartbeat), unless this
   * process knows a newer deadline (queued, being written, or heard). An engine ends lapsed
   * sessions only once it has run for a lease: a process that just started has not yet heard every
   * live device, and the index may be behind while the subscriber was down.
   */
  async sweep(
    shards: readonly number[],
    options: { lapsed?: boolean; lookaheadMs?: number } = {},
  ): Promise<{ ended: number }> {
    const { ctx } = this;
    const heardALease = ctx.now() - ctx.startedAt >= ctx.config.leaseSeconds * 1000;
    const endLapsed = (options.lapsed ?? true) && heardALease;
    const lookaheadMs = Math.max(0, options.lookaheadMs ?? 0);
    let ended = 0;
    for (const shard of shards) {
      const now = ctx.now();
      const due = now + lookaheadMs;
      const [lapsed, overrun] = await Promise.all([
        ctx.cache.sortedSetRange(cacheKeys.deadlines(shard), 0, due, SWEEP_BATCH),
        ctx.cache.sortedSetRange(cacheKeys.sessionEnds(shard), 0, now, SWEEP_BATCH),
      ]);
      const entries = [
        ...overrun.map((e) => ({ id: e.element, overrun: true })),
        ...lapsed.map((e) => ({ id: e.element, overrun: false })),
      ];
      const results = await mapWithConcurrency(entries, 8, async (entry) => {
        const record = await ctx.sessions.get(entry.id);
        if (!record) {
          // Ended elsewhere, or its record expired: only the index entry is left.
          await ctx.cache.sortedSetRemove(cacheKeys[entry.overrun ? 'sessionEnds' : 'deadlines'](shard), [entry.id]);
          return false;
        }
        if (record.endsAt !== undefined && now >= record.endsAt) {
          this.forget(record);
          return ctx.lifecycle.end(record, 'max-duration', { release: true });
        }
        if (entry.overrun || !endLapsed) return false;
        // A newer deadline this process holds (queued, being written, or just heard): in time.
        const newer = Math.max(
          ctx.deadlineWriter?.pendingDeadline(shard, entry.id) ?? 0,
          ctx.heardOf(entry.id)?.deadline ?? 0,
        );
        if (newer > due) return false;
        // Baselines have no claim to release early; their session ends all the same.
        this.forget(record);
        return ctx.lifecycle.end(record, 'lease-expired', { release: true });
      });
      ended += results.filter(Boolean).length;
    }
    return { ended };
  }

  private forget(record: SessionRecord): void {
    this.ctx.forget(record.sessionId);
    this.ctx.deadlineWriter?.discard(record.shard, record.sessionId);
  }
}
