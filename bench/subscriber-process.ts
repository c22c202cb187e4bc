import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { SubscriberStats } from '../lambda/heartbeat-subscriber/heartbeat-subscriber';

export type ChildRequest = { readonly type: 'stats' } | { readonly type: 'stop' };

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
  const child: ChildProcess = fork(path.join(__dirname, 'subscriber-child.ts'), [], {
    env: { ...process.env, ...env, BENCH_SUBSCRIBER_MODE: mode },
    execArgv: ['-r', 'ts-node/register/transpile-only'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let pending: ((stats: SubscriberChildStats) => void) | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    child.on('message', (report: ChildReport) => {
      if (report.type === 'ready') resolve();
      if (report.type === 'stats') {
        const { type: _type, ...stats } = report;
        pending?.(stats);
        pending = undefined;
      }
    });
    void exited.then((code) => reject(new Error(`the ${mode} subscriber exited with ${code} before it was ready`)));
  });
  await ready;
  return {
    stats: () =>
      new Promise<SubscriberChildStats>((resolve) => {
        pending = resolve;
        child.send({ type: 'stats' } satisfies ChildRequest);
      }),
    stop: async () => {
      if (child.exitCode !== null) return;
      child.send({ type: 'stop' } satisfies ChildRequest);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
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
