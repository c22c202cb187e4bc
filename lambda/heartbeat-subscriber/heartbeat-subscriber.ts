import type { RuntimeConfig } from '../core/runtime/config';
import { createEngine } from '../core/engine/engine';
import type { ConcurrencyEngine } from '../core/engine/engine-types';
import type { LifecycleEventSink } from '../core/ports/lifecycle-event-sink';
import { loadMomentoKeys, secretsFingerprint, secretsManagerReader, type SecretReader } from '../core/adapters/momento-credentials';
import type { CachePort, TopicPort } from '../core/ports/momento-ports';
import { createMomentoPorts, type MomentoKeys } from '../core/adapters/momento-clients';
import { noMetrics, silentLogger, type EngineLogger, type EngineMetrics } from '../core/ports/observability';
import { heartbeatTopicName } from '../core/engine/scope';
import type { SessionKeys } from '../core/messages/session-key';
import { loadSessionKeys } from '../core/adapters/session-key-secret';
import { DeviceMessageProcessor, type ProcessorStats } from './device-message-processor';
import { startHealthServer, type HealthReport } from './health-server';
import { RotatingCachePort, RotatingTopicPort } from './rotating-ports';
import { ShardSubscription, type ShardStats } from './shard-subscription';
import { errorMessage } from '../core/error-message';

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
  /**
   * How often the key secrets are read again once the subscriber runs (a new data key is used
   * from the next read), and how often a waiting subscriber reports it (`SubscriberWaiting`, a
   * log line). While the key is missing it is read with backoff from `initialBackoffMs` up to
   * this. Default 30 s.
   */
  readonly keyCheckIntervalMs?: number;
  /**
   * After a key rotation, how long the old key's clients stay open for calls already made on them.
   * Default 30 s.
   */
  readonly rotationGraceMs?: number;
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
  /** Fixed Momento ports (tests, playground); without them the ports are built from the keys, which are watched. */
  readonly ports?: SubscriberPorts;
  /** Reads the key secrets by ARN. @default - Secrets Manager, asked at every read */
  readonly readSecret?: SecretReader;
  /** Builds the ports over a data key. @default - `createMomentoPorts` */
  readonly connect?: (keys: MomentoKeys) => SubscriberPorts;
  readonly engine?: ConcurrencyEngine;
  /**
   * Checks the session key of each message; must be built from the same secret as token vending's.
   * @default - from the configuration (`SESSION_KEY_SECRET_ARN` read at start, `SESSION_KEY_SECRET`, or the per-process secret in local runs)
   */
  readonly sessionKeys?: SessionKeys;
  readonly events?: LifecycleEventSink;
  readonly metrics?: EngineMetrics & { flush?(): void };
  readonly logger?: EngineLogger;
  readonly now?: () => number;
  readonly options?: SubscriberOptions;
}

/**
 * What the health endpoint says: `ok` (every shard subscribed); `waiting-for-key` (the data key
 * or session key secret is missing, empty or unreadable, or Momento refuses the key) and
 * `waiting-for-cache` (the cache does not exist), both answered 200 so that ECS keeps a task that
 * a put-secret-value or a created cache will bring up; `unavailable` (503: connecting, or Momento
 * cannot be reached) and `stopped` (503).
 */
export type SubscriberStatus = 'ok' | 'waiting-for-key' | 'waiting-for-cache' | 'unavailable' | 'stopped';

export interface SubscriberStats {
  /** True when every shard is subscribed. */
  readonly healthy: boolean;
  /** What the health endpoint reports. */
  readonly status: SubscriberStatus;
  /** Why it waits or is unavailable, for an operator; never key material. */
  readonly reason?: string;
  readonly shards: readonly ShardStats[];
  readonly messages: ProcessorStats;
  readonly inFlight: number;
  readonly sweeps: number;
  readonly sessionsEnded: number;
  /** Data keys replaced without a restart. */
  readonly keyRotations: number;
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

const NO_MESSAGES: ProcessorStats = { received: 0, rejected: 0, shed: 0, throttled: 0, coalesced: 0, failed: 0, outcomes: { refreshed: 0, stopped: 0, 'lease-lost': 0, 'max-duration': 0, 'already-ended': 0, rejected: 0 } };

/** The ports of one data key and the shard subscriptions made with them. */
interface Connection {
  readonly ports: SubscriberPorts;
  readonly shards: ShardSubscription[];
  /** Digest of the key it was built with (undefined for given ports). */
  readonly keys?: string;
}

/**
 * Starts the heartbeat subscriber in this process: subscribes to its shards with the data key,
 * feeds device messages to the engine, sweeps for expired sessions, serves `/health`. Resolves
 * as soon as it runs (subscriptions proceed in the background, see `ready()`).
 *
 * Without given ports it reads its keys itself, by ARN: it starts and stays up while the data key
 * secret is empty (status `waiting-for-key`, reading it again with backoff up to
 * `keyCheckIntervalMs`), and once running reads it every `keyCheckIntervalMs`. A new data key is
 * used without a restart: new clients subscribe to every shard beside the old subscriptions, then
 * the engine's calls move to the new clients, the old subscriptions end, and the old clients close
 * after `rotationGraceMs`. A new key Momento refuses is not used (the old one keeps working).
 */
export async function startHeartbeatSubscriber(config: RuntimeConfig, deps: SubscriberDependencies = {}): Promise<HeartbeatSubscriber> {
  const o = deps.options ?? {};
  const now = deps.now ?? Date.now;
  const logger = deps.logger ?? silentLogger;
  const metrics: EngineMetrics & { flush?(): void } = deps.metrics ?? noMetrics;
  const watchdogMs = o.watchdogMs ?? Math.max(1000, ((config.leaseSeconds - config.heartbeatIntervalSeconds) * 1000) / 2);
  const maxConcurrency = o.maxConcurrency ?? 128;
  const sweepIntervalMs = o.sweepIntervalMs ?? Math.min(1000, (config.leaseSeconds * 1000) / 3);
  // Look ahead one sweep period and one index batch window (at most half a lease): a silent
  // device is released within one lease of its last heartbeat (docs/architecture.md).
  const sweepLookaheadMs = Math.min(sweepIntervalMs + (o.deadlineIndexWindowMs ?? 50), (config.leaseSeconds * 1000) / 2);
  const initialBackoffMs = o.initialBackoffMs ?? 500;
  const maxBackoffMs = o.maxBackoffMs ?? 30_000;
  const keyCheckIntervalMs = o.keyCheckIntervalMs ?? 30_000;
  const rotationGraceMs = o.rotationGraceMs ?? 30_000;
  const subscribeTimeoutMs = o.subscribeTimeoutMs ?? 10_000;
  const readSecret = deps.readSecret ?? secretsManagerReader(0);
  const connect = deps.connect ?? ((keys: MomentoKeys) => createMomentoPorts(config, keys));

  let stopped = false;
  // A process that cannot check session keys must not process messages (it would accept every
  // sibling's stop): without them it waits, like without its data key.
  let sessionKeys: SessionKeys | undefined = deps.sessionKeys;
  let connection: Connection | undefined;
  let cache: RotatingCachePort | undefined;
  let topics: RotatingTopicPort | undefined;
  let engine: ConcurrencyEngine | undefined;
  let processor: DeviceMessageProcessor | undefined;
  let sweeps = 0;
  let sessionsEnded = 0;
  let keyRotations = 0;
  let sweeping = false;
  let keyProblem: string | undefined = deps.ports ? undefined : 'the Momento data key has not been read yet';
  let lastError: string | undefined;
  let keyTimer: NodeJS.Timeout | undefined;
  const retiring = new Set<{ timer: NodeJS.Timeout; ports: SubscriberPorts }>();
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
      const result = await engine.sweep(config.subscriberShards, { lapsed: !behind, lookaheadMs: sweepLookaheadMs });
      sweeps += 1;
      sessionsEnded += result.ended;
    } catch (error) {
      metrics.count('MomentoErrors');
      logger.warn('expiry sweep failed', { error: errorMessage(error) });
    } finally {
      sweeping = false;
    }
  };

  const subscribeShards = (shardTopics: TopicPort, target: DeviceMessageProcessor): ShardSubscription[] => {
    const shards = config.subscriberShards.map(
      (shard) =>
        new ShardSubscription({
          shard,
          topic: heartbeatTopicName(config.heartbeatTopic, shard, config.topicShards),
          topics: shardTopics,
          onMessage: (message) => target.submit(message),
          // After a gap, look for expired sessions at once rather than at the next tick.
          onGap: () => void sweep(),
          logger,
          metrics,
          now,
          watchdogMs,
          subscribeTimeoutMs,
          initialBackoffMs,
          maxBackoffMs,
        }),
    );
    shards.forEach((shard) => shard.start());
    return shards;
  };

  const begin = (ports: SubscriberPorts, keys: string | undefined, keysForMessages: SessionKeys) => {
    cache = new RotatingCachePort(ports.cache);
    topics = new RotatingTopicPort(ports.topics);
    // Deadline index writes are batched per shard: a long-running process can flush them on stop.
    engine = deps.engine ?? createEngine(config, { cache, topics, events: deps.events, metrics, logger, now, deadlineIndexBatch: { windowMs: o.deadlineIndexWindowMs } });
    processor = new DeviceMessageProcessor(engine, metrics, logger, maxConcurrency, o.maxQueued ?? 10_000, {
      sessionKeys: keysForMessages,
      maxQueuedPerAccount: o.maxQueuedPerAccount,
      unknownSessionsPerSecond: o.unknownSessionsPerSecond,
      unknownSessionBurst: o.unknownSessionBurst,
      now,
    });
    connection = { ports, keys, shards: subscribeShards(ports.topics, processor) };
    const readyCheck = setInterval(() => {
      if (connection && connection.shards.every((shard) => shard.stats().subscribes > 0)) {
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

  /** Closes a replaced key's clients once calls already made on them have had time to finish. */
  const retire = (ports: SubscriberPorts) => {
    const entry = { ports, timer: setTimeout(() => {
      retiring.delete(entry);
      ports.close?.();
    }, rotationGraceMs) };
    entry.timer.unref();
    retiring.add(entry);
  };

  /** Subscribe with the new key beside the old subscriptions, then move over and close the old. */
  const rotate = async (keys: MomentoKeys, digest: string, current: Connection): Promise<void> => {
    let ports: SubscriberPorts;
    try {
      ports = connect(keys);
    } catch (error) {
      lastError = errorMessage(error);
      logger.error('the new Momento data key cannot be used; keeping the current one', { error: lastError });
      return;
    }
    const shards = subscribeShards(ports.topics, processor!);
    // Each shard gets its subscribe timeout and one retry before the new key is judged.
    const deadline = Date.now() + 2 * subscribeTimeoutMs + initialBackoffMs;
    while (!stopped && !shards.every((shard) => shard.subscribed) && Date.now() < deadline) await sleep(20);
    if (stopped || !shards.every((shard) => shard.subscribed)) {
      shards.forEach((shard) => shard.stop());
      ports.close?.();
      if (stopped) return;
      lastError = shards.map((shard) => shard.stats().lastError).find((e) => e !== undefined) ?? 'the new subscriptions did not start in time';
      logger.error('Momento refused the new data key; keeping the current one and trying again at the next key check', { error: lastError, retryInMs: keyCheckIntervalMs });
      metrics.count('MomentoErrors');
      return;
    }
    cache!.use(ports.cache);
    topics!.use(ports.topics);
    connection = { ports, keys: digest, shards };
    current.shards.forEach((shard) => shard.stop());
    retire(current.ports);
    keyRotations += 1;
    logger.info('Momento data key rotated: subscribed with the new key, old subscriptions closed', { shards: config.subscriberShards, closeOldClientsInMs: rotationGraceMs });
  };

  /** Reads the keys: connects the first time, rotates when the data key changed. False when they cannot be used. */
  const checkKeys = async (): Promise<boolean> => {
    let keys: MomentoKeys;
    try {
      sessionKeys ??= await loadSessionKeys(config, readSecret);
      keys = await loadMomentoKeys(config, readSecret);
    } catch (error) {
      const message = errorMessage(error);
      if (connection) logger.warn('cannot read the key secrets again; keeping the current key', { error: message });
      else keyProblem = message;
      return false;
    }
    const digest = secretsFingerprint(keys.dataKey);
    if (!connection) {
      let ports: SubscriberPorts;
      try {
        ports = connect(keys);
      } catch (error) {
        keyProblem = errorMessage(error);
        return false;
      }
      keyProblem = undefined;
      logger.info('Momento data key read; subscribing', { shards: config.subscriberShards });
      begin(ports, digest, sessionKeys);
    } else if (connection.keys !== digest) {
      await rotate(keys, digest, connection);
    }
    return true;
  };

  const watchKeys = async (backoffMs: number): Promise<void> => {
    if (stopped) return;
    const ok = await checkKeys();
    if (stopped) return;
    if (!ok && !connection && keyProblem !== lastError) {
      // Said once per reason here; the reporter below repeats it every key check interval.
      lastError = keyProblem;
      logger.error('heartbeat subscriber waiting for its Momento data key', { status: 'waiting-for-key', reason: keyProblem, retryInMs: backoffMs });
    }
    // Running: read again on the interval. Waiting: with backoff, up to the interval.
    const running = ok || connection !== undefined;
    keyTimer = setTimeout(() => void watchKeys(running ? initialBackoffMs : Math.min(keyCheckIntervalMs, backoffMs * 2)), running ? keyCheckIntervalMs : backoffMs);
    keyTimer.unref();
  };

  const healthy = () => !stopped && connection !== undefined && connection.shards.every((shard) => shard.subscribed);
  const status = (): { status: SubscriberStatus; reason?: string } => {
    if (stopped) return { status: 'stopped' };
    if (!connection) return { status: 'waiting-for-key', reason: keyProblem };
    if (healthy()) return { status: 'ok' };
    const failing = connection.shards.map((shard) => shard.stats()).filter((shard) => shard.state !== 'subscribed');
    const kinds = failing.map((shard) => shard.lastErrorKind);
    if (kinds.includes('not-found')) {
      return { status: 'waiting-for-cache', reason: `the Momento cache ${config.cacheName} does not exist: create it in the Momento console (or with the Momento CLI) in the region of the key's endpoint` };
    }
    if (kinds.includes('authentication') || kinds.includes('permission')) {
      return { status: 'waiting-for-key', reason: `Momento refuses the data key (${failing.find((shard) => shard.lastError)?.lastError ?? 'refused'}): put a key with publish-subscribe rights on the cache in the data key secret` };
    }
    return { status: 'unavailable', reason: failing.find((shard) => shard.lastError)?.lastError };
  };

  // While it waits, say so where an operator looks: a metric (alarmed), a log line.
  const reporter = setInterval(() => {
    const current = status();
    if (current.status !== 'waiting-for-key' && current.status !== 'waiting-for-cache') return;
    metrics.count('SubscriberWaiting');
    logger.error(current.status === 'waiting-for-cache' ? 'heartbeat subscriber waiting for its cache' : 'heartbeat subscriber waiting for its Momento data key', {
      status: current.status,
      reason: current.reason,
      cacheName: config.cacheName,
    });
  }, keyCheckIntervalMs);
  reporter.unref();
  timers.push(reporter);

  if (deps.ports) {
    const keysForMessages = sessionKeys ?? (await loadSessionKeys(config, readSecret));
    sessionKeys = keysForMessages;
    begin(deps.ports, undefined, keysForMessages);
  } else {
    await watchKeys(initialBackoffMs);
  }

  if (metrics.flush) {
    const flusher = setInterval(() => metrics.flush?.(), o.metricsFlushMs ?? 10_000);
    flusher.unref();
    timers.push(flusher);
  }

  const stats = (): SubscriberStats => {
    const shards = connection?.shards.map((shard) => shard.stats()) ?? [];
    const current = status();
    return {
      healthy: healthy(),
      status: current.status,
      reason: current.reason,
      shards,
      messages: processor?.stats() ?? NO_MESSAGES,
      inFlight: processor?.inFlight ?? 0,
      sweeps,
      sessionsEnded,
      keyRotations,
      healthPort: health?.port,
      lastError: shards.map((shard) => shard.lastError).find((e) => e !== undefined) ?? lastError,
    };
  };
  const healthPort = o.healthPort === undefined ? config.healthPort : o.healthPort;
  const health =
    healthPort === false
      ? undefined
      : await startHealthServer(healthPort, (): HealthReport => {
          const current = status();
          return {
            // Waiting is answered 200: a new task would wait the same, and the alarm tells the operator.
            ok: current.status === 'ok' || current.status === 'waiting-for-key' || current.status === 'waiting-for-cache',
            body: { status: current.status, reason: current.reason, shards: stats().shards.map((s) => ({ shard: s.shard, state: s.state })) },
          };
        });

  return {
    stats,
    ready: () => readyPromise,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      clearTimeout(keyTimer);
      timers.forEach((timer) => clearInterval(timer));
      connection?.shards.forEach((shard) => shard.stop());
      if (processor) {
        // Drain: let accepted messages finish, within a bound.
        let drainTimer: NodeJS.Timeout | undefined;
        await Promise.race([processor.drain(), new Promise<void>((resolve) => (drainTimer = setTimeout(resolve, o.drainTimeoutMs ?? 10_000)))]);
        clearTimeout(drainTimer);
      }
      // Let a sweep in progress finish too, so its writes are not cut in half.
      while (sweeping) await sleep(10);
      await engine?.flushDeadlineIndex?.();
      metrics.flush?.();
      await health?.close();
      for (const entry of retiring) {
        clearTimeout(entry.timer);
        entry.ports.close?.();
      }
      retiring.clear();
      if (!deps.ports) connection?.ports.close?.();
      logger.info('heartbeat subscriber stopped', { messages: processor?.stats().received ?? 0 });
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
