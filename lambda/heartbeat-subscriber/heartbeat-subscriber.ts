import type { RuntimeConfig } from '../core/config';
import { createEngine } from '../core/engine';
import type { ConcurrencyEngine } from '../core/engine-types';
import type { LifecycleEventSink } from '../core/lifecycle-events';
import { loadMomentoKeys } from '../core/momento-credentials';
import type { CachePort, TopicPort } from '../core/momento-ports';
import { createMomentoPorts } from '../core/momento-sdk-ports';
import { noMetrics, silentLogger, type EngineLogger, type EngineMetrics } from '../core/observability-ports';
import { heartbeatTopicName } from '../core/scope';
import type { SessionKeys } from '../core/session-key';
import { loadSessionKeys } from '../core/session-key-secret';
import { DeviceMessageProcessor, type ProcessorStats } from './device-message-processor';
import { startHealthServer } from './health-server';
import { ShardSubscription, type ShardStats } from './shard-subscription';

export interface SubscriberPorts {
  readonly cache: CachePort;
  readonly topics: TopicPort;
  close?(): void;
}

export interface SubscriberOptions {
  /** Device messages processed at once (each waits on a Momento round trip). Default 128. */
  readonly maxConcurrency?: number;
  /** Messages waiting beyond this are dropped (and counted). Default 10 000. */
  readonly maxQueued?: number;
  /** Messages of one account waiting beyond this are dropped (`HeartbeatsThrottled`). Default 1 000. */
  readonly maxQueuedPerAccount?: number;
  /** Per account, messages per second about sessions not known live (token bucket). Default 10. */
  readonly unknownSessionsPerSecond?: number;
  /** Per account, burst of such messages. Default 100. */
  readonly unknownSessionBurst?: number;
  /**
   * Resubscribe after this long without an item or stream heartbeat. Default half of what a lease
   * outlasts a heartbeat interval (at least 1 s), so a dead stream is replaced before leases lapse.
   */
  readonly watchdogMs?: number;
  /** How often expired sessions are looked for. Default min(1 s, a third of the lease). */
  readonly sweepIntervalMs?: number;
  /** Time allowed for a subscribe to be established. Default 10 s. */
  readonly subscribeTimeoutMs?: number;
  /** Backoff after a failed subscribe or key load. Defaults 500 ms doubling to 30 s. */
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** How long stop() waits for in-flight messages. Default 10 s. */
  readonly drainTimeoutMs?: number;
  /** Port of the health endpoint; `false` for none. Default `config.healthPort`. */
  readonly healthPort?: number | false;
  /** How often buffered metrics are flushed. Default 10 s. */
  readonly metricsFlushMs?: number;
  /** How long heartbeats' deadline index updates gather before one write per shard. Default 50 ms. */
  readonly deadlineIndexWindowMs?: number;
}

export interface SubscriberDependencies {
  /** Momento ports; built from the configuration's keys when absent (retrying with backoff). */
  readonly ports?: SubscriberPorts;
  readonly engine?: ConcurrencyEngine;
  /**
   * Checks the session key of each message; must be built from the same secret as token vending's.
   * @default - from the configuration (`SESSION_KEY_SECRET`, or the per-process secret in local runs)
   */
  readonly sessionKeys?: SessionKeys;
  readonly events?: LifecycleEventSink;
  readonly metrics?: EngineMetrics & { flush?(): void };
  readonly logger?: EngineLogger;
  readonly now?: () => number;
  readonly options?: SubscriberOptions;
}

export interface SubscriberStats {
  /** True when every shard is subscribed (what the health endpoint reports). */
  readonly healthy: boolean;
  readonly shards: readonly ShardStats[];
  readonly messages: ProcessorStats;
  readonly inFlight: number;
  readonly sweeps: number;
  readonly sessionsEnded: number;
  readonly healthPort?: number;
  readonly lastError?: string;
}

export interface HeartbeatSubscriber {
  /** Stops subscribing, drains in-flight work, flushes metrics, closes the health endpoint. */
  stop(): Promise<void>;
  stats(): SubscriberStats;
  /** Resolves once every shard has been subscribed (at least once). */
  ready(): Promise<void>;
}

/**
 * Starts the heartbeat subscriber in this process: subscribes to its shards with the data key,
 * feeds device messages to the engine, sweeps for expired sessions, serves `/health`. Resolves
 * as soon as it runs (subscriptions proceed in the background, see `ready()`).
 */
export async function startHeartbeatSubscriber(config: RuntimeConfig, deps: SubscriberDependencies = {}): Promise<HeartbeatSubscriber> {
  const o = deps.options ?? {};
  const now = deps.now ?? Date.now;
  const logger = deps.logger ?? silentLogger;
  const metrics: EngineMetrics & { flush?(): void } = deps.metrics ?? noMetrics;
  const watchdogMs = o.watchdogMs ?? Math.max(1000, ((config.leaseSeconds - config.heartbeatIntervalSeconds) * 1000) / 2);
  const maxConcurrency = o.maxConcurrency ?? 128;
  const sweepIntervalMs = o.sweepIntervalMs ?? Math.min(1000, (config.leaseSeconds * 1000) / 3);
  const initialBackoffMs = o.initialBackoffMs ?? 500;
  const maxBackoffMs = o.maxBackoffMs ?? 30_000;

  // A process that cannot check session keys must not start: it would accept every sibling's stop.
  const sessionKeys = deps.sessionKeys ?? (await loadSessionKeys(config));
  let stopped = false;
  let ports: SubscriberPorts | undefined = deps.ports;
  let ownsPorts = false;
  let engine: ConcurrencyEngine | undefined;
  let processor: DeviceMessageProcessor | undefined;
  let shards: ShardSubscription[] = [];
  let sweeps = 0;
  let sessionsEnded = 0;
  let sweeping = false;
  let lastError: string | undefined;
  let portTimer: NodeJS.Timeout | undefined;
  const timers: NodeJS.Timeout[] = [];
  let markReady: () => void = () => undefined;
  const readyPromise = new Promise<void>((resolve) => (markReady = resolve));

  const sweep = async () => {
    if (sweeping || !engine || stopped) return;
    sweeping = true;
    try {
      // Behind on messages (after an outage): heartbeats not read yet may still renew leases, so
      // only maximum durations are ended until the backlog is worked off.
      const behind = (processor?.backlog ?? 0) > maxConcurrency;
      const result = await engine.sweep(config.subscriberShards, { lapsed: !behind });
      sweeps += 1;
      sessionsEnded += result.ended;
    } catch (error) {
      metrics.count('MomentoErrors');
      logger.warn('expiry sweep failed', { error: error instanceof Error ? error.message : String(error) });
    } finally {
      sweeping = false;
    }
  };

  const begin = (ready: SubscriberPorts) => {
    ports = ready;
    // Deadline index writes are batched per shard: a long-running process can flush them on stop.
    engine = deps.engine ?? createEngine(config, { cache: ready.cache, topics: ready.topics, events: deps.events, metrics, logger, now, deadlineIndexBatch: { windowMs: o.deadlineIndexWindowMs } });
    processor = new DeviceMessageProcessor(engine, metrics, logger, maxConcurrency, o.maxQueued ?? 10_000, {
      sessionKeys,
      maxQueuedPerAccount: o.maxQueuedPerAccount,
      unknownSessionsPerSecond: o.unknownSessionsPerSecond,
      unknownSessionBurst: o.unknownSessionBurst,
      now,
    });
    const activeProcessor = processor;
    shards = config.subscriberShards.map(
      (shard) =>
        new ShardSubscription({
          shard,
          topic: heartbeatTopicName(config.heartbeatTopic, shard, config.topicShards),
          topics: ready.topics,
          onMessage: (message) => activeProcessor.submit(message),
          // After a gap, look for expired sessions at once rather than at the next tick.
          onGap: () => void sweep(),
          logger,
          metrics,
          now,
          watchdogMs,
          subscribeTimeoutMs: o.subscribeTimeoutMs ?? 10_000,
          initialBackoffMs,
          maxBackoffMs,
        }),
    );
    shards.forEach((shard) => shard.start());
    const readyCheck = setInterval(() => {
      if (shards.every((shard) => shard.stats().subscribes > 0)) {
        clearInterval(readyCheck);
        markReady();
      }
    }, 20);
    readyCheck.unref();
    timers.push(readyCheck);
    const sweeper = setInterval(() => void sweep(), sweepIntervalMs);
    sweeper.unref();
    timers.push(sweeper);
  };

  // Without given ports, load the keys and connect; a missing or empty key backs off and retries.
  const connectPorts = async (backoffMs: number): Promise<void> => {
    if (stopped) return;
    try {
      const built = createMomentoPorts(config, await loadMomentoKeys(config));
      ownsPorts = true;
      begin(built);
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
      logger.error('heartbeat subscriber cannot connect to Momento; retrying', { error: lastError, retryInMs: backoffMs });
      portTimer = setTimeout(() => void connectPorts(Math.min(maxBackoffMs, backoffMs * 2)), backoffMs);
      portTimer.unref();
    }
  };
  if (ports) begin(ports);
  else await connectPorts(initialBackoffMs);

  if (metrics.flush) {
    const flusher = setInterval(() => metrics.flush?.(), o.metricsFlushMs ?? 10_000);
    flusher.unref();
    timers.push(flusher);
  }

  const healthy = () => !stopped && shards.length > 0 && shards.every((shard) => shard.subscribed);
  const stats = (): SubscriberStats => ({
    healthy: healthy(),
    shards: shards.map((shard) => shard.stats()),
    messages: processor?.stats() ?? { received: 0, rejected: 0, shed: 0, throttled: 0, coalesced: 0, failed: 0, outcomes: { refreshed: 0, stopped: 0, 'lease-lost': 0, 'max-duration': 0, 'already-ended': 0, rejected: 0 } },
    inFlight: processor?.inFlight ?? 0,
    sweeps,
    sessionsEnded,
    healthPort: health?.port,
    lastError: lastError ?? shards.map((shard) => shard.stats().lastError).find((e) => e !== undefined),
  });
  const healthPort = o.healthPort === undefined ? config.healthPort : o.healthPort;
  const health = healthPort === false ? undefined : await startHealthServer(healthPort, healthy, () => ({ shards: stats().shards.map((s) => ({ shard: s.shard, state: s.state })) }));

  return {
    stats,
    ready: () => readyPromise,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      clearTimeout(portTimer);
      timers.forEach((timer) => clearInterval(timer));
      shards.forEach((shard) => shard.stop());
      if (processor) {
        // Drain: let accepted messages finish, within a bound.
        let drainTimer: NodeJS.Timeout | undefined;
        await Promise.race([processor.drain(), new Promise<void>((resolve) => (drainTimer = setTimeout(resolve, o.drainTimeoutMs ?? 10_000)))]);
        clearTimeout(drainTimer);
      }
      // Let a sweep in progress finish too, so its writes are not cut in half.
      while (sweeping) await new Promise((resolve) => setTimeout(resolve, 10));
      await engine?.flushDeadlineIndex?.();
      metrics.flush?.();
      await health?.close();
      if (ownsPorts) ports?.close?.();
      logger.info('heartbeat subscriber stopped', { messages: processor?.stats().received ?? 0 });
    },
  };
}
