import type { DeviceMessageOutcome } from '../core/engine/engine-types';

/** How many sessions the budget remembers as live (like the engine's record memo). */
const LIVE_MEMO_SIZE = 50_000;
/** Accounts whose budget is remembered; the oldest is forgotten (it starts full again). */
const ACCOUNT_MEMO_SIZE = 50_000;

/**
 * Caps, per account, the work spent on sessions this process does not know to be live. A message
 * for a session that is over (or was never admitted here) costs the engine cache reads and a
 * control message; one account's device token could send such messages as fast as Momento lets
 * it. Each account has a token bucket: a message for a session not known live takes a token while
 * it is worked on and gives it back when the session turns out live; once the bucket is empty, such
 * messages are dropped until it refills. Messages for live sessions never wait for the budget.
 */
export class UnknownSessionBudget {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly live = new Map<string, true>();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number,
  ) {}

  /** `live`: go on; `charged`: go on, settle afterwards; `refused`: drop it. */
  take(accountId: string, sessionId: string): 'live' | 'charged' | 'refused' {
    if (this.live.has(`${accountId}|${sessionId}`)) return 'live';
    const bucket = this.bucket(accountId);
    if (bucket.tokens < 1) return 'refused';
    bucket.tokens -= 1;
    return 'charged';
  }

  /** What the engine answered: a live session gives its token back and is remembered. */
  settle(accountId: string, sessionId: string, charged: boolean, outcome: DeviceMessageOutcome | 'failed'): void {
    const key = `${accountId}|${sessionId}`;
    const live = outcome === 'refreshed' || outcome === 'stopped' || outcome === 'failed';
    if (outcome === 'refreshed') {
      this.live.delete(key);
      this.live.set(key, true);
      if (this.live.size > LIVE_MEMO_SIZE) this.live.delete(this.live.keys().next().value!);
    } else if (outcome !== 'failed') {
      this.live.delete(key); // over: its next message is an unknown session's again
    }
    if (charged && live) {
      const bucket = this.bucket(accountId);
      bucket.tokens = Math.min(this.burst, bucket.tokens + 1);
    }
  }

  private bucket(accountId: string): { tokens: number; at: number } {
    const now = this.now();
    let bucket = this.buckets.get(accountId);
    if (!bucket) {
      bucket = { tokens: this.burst, at: now };
      this.buckets.set(accountId, bucket);
      if (this.buckets.size > ACCOUNT_MEMO_SIZE) this.buckets.delete(this.buckets.keys().next().value!);
    } else if (now > bucket.at) {
      bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
      bucket.at = now;
    }
    return bucket;
  }
}
