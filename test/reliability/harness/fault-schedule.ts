import type { FaultController } from '../../../local/emulator';

/** The disturbances of the fault run, all at once, as the issue lists them. */
export interface FaultPlan {
  /** Drop every open subscription stream this often. */
  readonly dropStreamsEveryMs: number;
  /** Share (0 to 1) of cache writes failed with UNAVAILABLE throughout. */
  readonly cacheWriteFailureShare: number;
  /** A latency spike on every call kind: how often, how long, and how much. */
  readonly latencySpikeEveryMs: number;
  readonly latencySpikeForMs: number;
  readonly latencySpikeMs: { readonly minMs: number; readonly maxMs: number };
  /** Refuse (and reset) connections for this long, at these offsets from the start. */
  readonly refuseConnectionsForMs: number;
  readonly refuseConnectionsAtMs: readonly number[];
}

/** What the schedule did, for the figures. */
export interface FaultTally {
  streamDrops: number;
  streamsDropped: number;
  latencySpikes: number;
  connectionRefusals: number;
}

/**
 * Applies a {@link FaultPlan} to the emulator until stopped. The controller's `clear()` removes
 * every rule, so a spike's end re-applies the standing cache-write failures.
 */
export class FaultSchedule {
  readonly tally: FaultTally = { streamDrops: 0, streamsDropped: 0, latencySpikes: 0, connectionRefusals: 0 };
  private readonly timers: NodeJS.Timeout[] = [];
  private spiking = false;
  private startedAt = 0;

  constructor(
    private readonly faults: FaultController,
    private readonly plan: FaultPlan,
  ) {}

  start(): void {
    this.startedAt = Date.now();
    this.applyStanding();
    this.every(this.plan.dropStreamsEveryMs, () => {
      this.tally.streamDrops += 1;
      this.tally.streamsDropped += this.faults.dropSubscriptions();
    });
    this.every(this.plan.latencySpikeEveryMs, () => {
      // clear() would also end a refusal early, so no spike overlaps one.
      if (this.spiking || this.refusalOverlaps(Date.now() - this.startedAt, this.plan.latencySpikeForMs)) return;
      this.spiking = true;
      this.tally.latencySpikes += 1;
      this.faults.addLatency('*', this.plan.latencySpikeMs);
      this.later(this.plan.latencySpikeForMs, () => {
        this.spiking = false;
        this.faults.clear();
        this.applyStanding();
      });
    });
    for (const at of this.plan.refuseConnectionsAtMs) {
      this.later(at, () => {
        this.tally.connectionRefusals += 1;
        this.faults.refuseConnections(this.plan.refuseConnectionsForMs);
      });
    }
  }

  /** Stops every disturbance; the emulator behaves normally again. */
  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.length = 0;
    this.faults.clear();
  }

  private refusalOverlaps(fromMs: number, forMs: number): boolean {
    return this.plan.refuseConnectionsAtMs.some(
      (at) => at < fromMs + forMs + 100 && fromMs < at + this.plan.refuseConnectionsForMs + 100,
    );
  }

  private applyStanding(): void {
    if (this.plan.cacheWriteFailureShare > 0) this.faults.failShare('cache-write', this.plan.cacheWriteFailureShare);
  }

  private every(ms: number, run: () => void): void {
    this.timers.push(setInterval(run, ms));
  }

  private later(ms: number, run: () => void): void {
    this.timers.push(setTimeout(run, ms));
  }
}
