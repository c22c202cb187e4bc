import {
  startHeartbeatSubscriber,
  type HeartbeatSubscriber,
} from '../lambda/heartbeat-subscriber/heartbeat-subscriber';
import type { BenchEngine } from './bench-engine';
import { finishedMessages } from './subscriber-process';

/**
 * The real heartbeat subscriber, in this process, sharing the bench engine (so its events are
 * recorded). `sweepIntervalMs` lets a cost measurement keep the periodic expiry sweep out of
 * per-heartbeat figures.
 */
export async function startInProcessSubscriber(
  bench: BenchEngine,
  sweepIntervalMs?: number,
): Promise<HeartbeatSubscriber> {
  const subscriber = await startHeartbeatSubscriber(bench.config, {
    ports: bench.ports,
    engine: bench.engine,
    options: { healthPort: false, ...(sweepIntervalMs !== undefined ? { sweepIntervalMs } : {}) },
  });
  await subscriber.ready();
  return subscriber;
}

/** Heartbeats and stops the subscriber has finished with (any outcome, coalesced and throttled included). */
export function processedMessages(subscriber: HeartbeatSubscriber): number {
  return finishedMessages(subscriber.stats());
}
