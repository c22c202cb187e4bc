import path from 'node:path';
import type { SubscriberStats } from '../lambda/heartbeat-subscriber/heartbeat-subscriber';
import { forkChild, type ForkedChildRequest } from './forked-child';

export type ChildRequest = ForkedChildRequest;

export interface SubscriberChildStats {
  readonly received: number;
  /** Messages finished with (every outcome, rejections and drops included). */
  readonly processed: number;
  readonly leaseLost: number;
  /** Sessions the subscriber reported expired (lease expired or lost). */
  readonly expiredSessions: readonly string[];
  readonly shed: number;
  readonly failed: number;
  /** CPU time (user + system) of the child since it started. */
  readonly cpuSeconds: number;
  readonly maxRssBytes: number;
  readonly rssBytes: number;
}

export type ChildReport = { readonly type: 'ready' } | ({ readonly type: 'stats' } & SubscriberChildStats);

/** A subscriber running in its own Node.js process, so its CPU time and memory are its own. */
export interface SubscriberProcess {
  stats(): Promise<SubscriberChildStats>;
  stop(): Promise<void>;
}

/**
 * Forks `subscriber-child.ts` with the runtime environment `env` (plus the benchmark's tuning of
 * the seed strategies) and resolves once it has subscribed.
 */
export async function startSubscriberProcess(
  mode: 'engine' | 'do-nothing',
  env: Readonly<Record<string, string>>,
): Promise<SubscriberProcess> {
  return forkChild<ChildReport, void, SubscriberChildStats>(
    path.join(__dirname, 'subscriber-child.ts'),
    { ...process.env, ...env, BENCH_SUBSCRIBER_MODE: mode },
    {
      name: `the ${mode} subscriber`,
      stopGraceMs: 15_000,
      ready: () => undefined,
      stats: ({ type: _type, ...stats }) => stats,
    },
  );
}

/**
 * Messages the subscriber is done with, of those it received: every one not waiting or being
 * worked on. A heartbeat replaced by a newer one of its session while it waited (coalesced) or
 * dropped by a per-account bound (throttled) is done too; counting only engine outcomes and drops
 * left those out, and a subscriber that fell behind once looked stalled for good.
 */
export function finishedMessages(stats: Pick<SubscriberStats, 'messages' | 'inFlight'>): number {
  return stats.messages.received - stats.inFlight;
}
