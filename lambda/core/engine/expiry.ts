import { cacheKeys } from './cache-keys';
import { mapWithConcurrency } from './concurrency-limiter';
import type { EngineContext } from './engine-context';
import { holderOf } from './session-store';

/** Expired sessions handled per shard and sweep. */
const SWEEP_BATCH = 200;

/** Expiry: the sweep that ends sessions whose lease or maximum duration ran out, each once. */
export class Expiry {
  constructor(private readonly ctx: EngineContext) {}

  async sweep(shards: readonly number[], options: { lapsed?: boolean } = {}): Promise<{ ended: number }> {
    const endLapsed = options.lapsed ?? true;
    let ended = 0;
    for (const shard of shards) {
      const now = this.ctx.now();
      const [lapsed, overrun] = await Promise.all([
        this.ctx.cache.sortedSetRange(cacheKeys.deadlines(shard), 0, now, SWEEP_BATCH),
        this.ctx.cache.sortedSetRange(cacheKeys.sessionEnds(shard), 0, now, SWEEP_BATCH),
      ]);
      const results = await mapWithConcurrency([...overrun.map((e) => ({ id: e.element, overrun: true })), ...lapsed.map((e) => ({ id: e.element, overrun: false }))], 8, async (due) => {
        const record = await this.ctx.sessions.get(due.id);
        if (!record) {
          // Ended elsewhere, or its record expired: only the index entry is left.
          await this.ctx.cache.sortedSetRemove(cacheKeys[due.overrun ? 'sessionEnds' : 'deadlines'](shard), [due.id]);
          return false;
        }
        this.ctx.forget(record.sessionId);
        if (record.endsAt !== undefined && now >= record.endsAt) return this.ctx.lifecycle.end(record, 'max-duration', { release: true });
        if (due.overrun || !endLapsed) return false;
        // A newer deadline still waiting in the batch writer: the session heartbeated in time.
        if ((this.ctx.deadlineWriter?.pendingDeadline(shard, due.id) ?? 0) > now) return false;
        // Momento expires the lease itself; the index is only a hint, so check before reporting.
        if (this.ctx.strategy.exact && (await this.ctx.strategy.isHeld(this.ctx.scopeOf(record), holderOf(record), record.slot))) return false;
        // Released too: a late heartbeat may have restored the lease since the check above.
        return this.ctx.lifecycle.end(record, 'lease-expired', { release: true });
      });
      ended += results.filter(Boolean).length;
    }
    return { ended };
  }
}
