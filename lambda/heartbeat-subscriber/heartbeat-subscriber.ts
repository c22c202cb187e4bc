import type { RuntimeConfig } from '../core/runtime/config';
import { createEngine } from '../core/engine/engine';
import type { ConcurrencyEngine } from '../core/engine/engine-types';
import type { LifecycleEventSink } from '../core/ports/lifecycle-event-sink';
import {
  loadMomentoKeys,
  secretsFingerprint,
  secretsManagerReader,
  type SecretReader,
} from '../core/adapters/momento-credentials';
import type { CachePort, TopicPort } from '../core/ports/momento-ports';
import { createMomentoPorts, type MomentoKeys } from '../core/adapters/momento-clients';
import { noMetrics, silentLogger, type EngineLogger, type EngineMetrics } from '../core/ports/observability';
import { heartbeatTopicName } from '../core/engine/scope';
import type { SessionKeys } from '../core/messages/session-key';
import { loadSessionKeys } from '../core/adapters/session-key-secret';
import { DeviceMessageProcessor, noProcessorStats, type ProcessorStats } from './device-message-processor';
import { startHealthServer, type HealthReport } from './health-server';
import { RotatingCachePort, RotatingTopicPort } from './rotating-ports';
import { ShardOwnership, type OwnershipRole } from './shard-ownership';
import { ShardSubscription, type ShardStats } from './shard-subscription';
import { errorMessage } from '../core/error-message';

export interface SubscriberPorts {
  readonly cache: CachePort;
  readonly topics: TopicPort;
  close?(): void;
}

/** Device messages processed at once, by default. */
export const DEFAULT_MAX_CONCURRENCY = 128;

export interface SubscriberOptions {
  /** Device messages processed at once (each may wait on a Momento round trip). Default {@link DEFAULT_MAX_CONCURRENCY}. */
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
  /**
   * How long one device message may hold a worker before it is counted failed and the worker moves
   * on (its Momento calls finish or fail in the background). Default 4 × `config.momentoTimeoutMs` (8 s).
   */
  readonly messageTimeoutMs?: number;
  /**
   * Waiting messages with none finished for this long make the subscriber `stuck`: the health
   * check fails (503) and an owner gives its shards to the standby. Default 2 × `messageTimeoutMs` (16 s).
   */
  readonly stuckAfterMs?: number;
  /**
   * One active processor per shard set: the processes race for an ownership lease in the cache and
   * the others stand by without subscribing (see `ShardOwnership`). Default on when the subscriber
   * builds its clients from its keys (the deployed container), off with given `ports` (tests,
   * playground), where every process subscribes as before.
   */
  readonly ownership?: boolean;
  /**
   * Lifetime of the ownership lease, whole seconds; the owner renews it every third of that, a
   * standby checks at the same pace. Default a quarter of what a lease outlasts a heartbeat interval
   * (at least 1 s; 5 s with the defaults), so a takeover (TTL + one check + a subscribe) ends well
   * before a heartbeating device's lease could lapse.
   */
  readonly ownershipSeconds?: number;
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
 * What the health endpoint says: `ok` (every shard subscribed); `standby` (another process owns
 * the shards; this one takes over when its lease runs out); `waiting-for-key` (the data key or
 * session key secret is missing, empty or unreadable, or Momento refuses the key) and
 * `waiting-for-cache` (the cache does not exist), all answered 200 so that ECS keeps a task that a
 * put-secret-value or a created cache will bring up; `unavailable` (503: connecting, or Momento
 * cannot be reached), `stuck` (503: messages wait and none has finished for `stuckAfterMs`) and
 * `stopped` (503).
 */
export type SubscriberStatus =
  'ok' | 'standby' | 'waiting-for-key' | 'waiting-for-cache' | 'unavailable' | 'stuck' | 'stopped';

export interface SubscriberStats {
  /** True when every shard is subscribed. */
  readonly healthy: boolean;
  /** What the health endpoint reports. */
  readonly status: SubscriberStatus;
  /** Why it waits or is unavailable, for an operator; never key material. */
  readonly reason?: string;
  readonly shards: readonly ShardStats[];
  /** `sole` without ownership; `active` or `standby` with it. */
  readonly role: 'sole' | OwnershipRole;
  /** Times this process took the shards over (ownership only). */
  readonly takeovers: number;
  readonly messages: ProcessorStats;
  /** How long waiting messages have gone without any finishing (0 while idle or moving). */
  readonly stalledForMs: number;
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
  /** Resolves once every shard has been subscribed (at least once), or the process stands by. */
  ready(): Promise<void>;
}

/** The ports of one data key and the shard subscriptions made with them (none while standing by). */
interface Connection {
  readonly ports: SubscriberPorts;
  shards: ShardSubscription[];
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
 *
 * With ownership (the default of the deployed container) only the process holding the shard set's
 * lease subscribes and sweeps; the others stand by (see {@link ShardOwnership}).
 */
export async function startHeartbeatSubscriber(
  config: RuntimeConfig,
  deps: SubscriberDependencies = {},
): Promise<HeartbeatSubscriber> {
  const subscriber = new SubscriberProcess(config, deps);
  await subscriber.start();
  return { stop: () => subscriber.stop(), stats: () => subscriber.stats(), ready: () => subscriber.ready() };
}

/** The settings of a {@link SubscriberProcess}, defaults applied. */
interface Settings {
  readonly watchdogMs: number;
  readonly maxConcurrency: number;
  readonly sweepIntervalMs: number;
  /** How far ahead the sweep ends sessions: one sweep period and one index batch window, at most half a lease. */
  readonly sweepLookaheadMs: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly keyCheckIntervalMs: number;
  readonly rotationGraceMs: number;
  readonly subscribeTimeoutMs: number;
  readonly messageTimeoutMs: number;
  readonly stuckAfterMs: number;
  readonly ownershipSeconds?: number;
}

function settingsOf(config: RuntimeConfig, o: SubscriberOptions, givenPorts: boolean): Settings {
  const slackMs = (config.leaseSeconds - config.heartbeatIntervalSeconds) * 1000;
  const messageTimeoutMs = o.messageTimeoutMs ?? 4 * config.momentoTimeoutMs;
  const sweepIntervalMs = o.sweepIntervalMs ?? Math.min(1000, (config.leaseSeconds * 1000) / 3);
  return {
    watchdogMs: o.watchdogMs ?? Math.max(1000, slackMs / 2),
    maxConcurrency: o.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY,
    sweepIntervalMs,
    // A silent device is released within one lease of its last heartbeat (docs/architecture.md).
    sweepLookaheadMs: Math.min(sweepIntervalMs + (o.deadlineIndexWindowMs ?? 50), (config.leaseSeconds * 1000) / 2),
    initialBackoffMs: o.initialBackoffMs ?? 500,
    maxBackoffMs: o.maxBackoffMs ?? 30_000,
    keyCheckIntervalMs: o.keyCheckIntervalMs ?? 30_000,
    rotationGraceMs: o.rotationGraceMs ?? 30_000,
    subscribeTimeoutMs: o.subscribeTimeoutMs ?? 10_000,
    messageTimeoutMs,
    stuckAfterMs: o.stuckAfterMs ?? 2 * messageTimeoutMs,
    ownershipSeconds:
      (o.ownership ?? !givenPorts) ? (o.ownershipSeconds ?? Math.max(1, Math.floor(slackMs / 4000))) : undefined,
  };
}

/** The heartbeat subscriber of one process; {@link startHeartbeatSubscriber} is its entry. */
class SubscriberProcess {
  private readonly o: SubscriberOptions;
  private readonly settings: Settings;
  private readonly now: () => number;
  private readonly logger: EngineLogger;
  private readonly metrics: EngineMetrics & { flush?(): void };
  private readonly readSecret: SecretReader;
  private readonly connect: (keys: MomentoKeys) => SubscriberPorts;

  private stopped = false;
  // A process that cannot check session keys must not process messages (it would accept every
  // sibling's stop): without them it waits, like without its data key.
  private sessionKeys: SessionKeys | undefined;
  private connection: Connection | undefined;
  private cache: RotatingCachePort | undefined;
  private topics: RotatingTopicPort | undefined;
  private engine: ConcurrencyEngine | undefined;
  private processor: DeviceMessageProcessor | undefined;
  private ownership: ShardOwnership | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  /** After a takeover, until when only maximum durations are ended (heartbeats resume first). */
  private lapsedFrom = 0;
  private sweeps = 0;
  private sessionsEnded = 0;
  private keyRotations = 0;
  private sweeping = false;
  private keyProblem: string | undefined;
  private lastError: string | undefined;
  private keyTimer: NodeJS.Timeout | undefined;
  private health: { port: number; close(): Promise<void> } | undefined;
  private readonly retiring = new Set<{ timer: NodeJS.Timeout; ports: SubscriberPorts }>();
  private readonly timers: NodeJS.Timeout[] = [];
  private markReady: () => void = () => undefined;
  private readonly readyPromise = new Promise<void>((resolve) => (this.markReady = resolve));

  constructor(
    private readonly config: RuntimeConfig,
    private readonly deps: SubscriberDependencies,
  ) {
    this.o = deps.options ?? {};
    this.settings = settingsOf(config, this.o, deps.ports !== undefined);
    this.now = deps.now ?? Date.now;
    this.logger = deps.logger ?? silentLogger;
    this.metrics = deps.metrics ?? noMetrics;
    this.readSecret = deps.readSecret ?? secretsManagerReader(0);
    this.connect = deps.connect ?? ((keys: MomentoKeys) => createMomentoPorts(config, keys));
    this.sessionKeys = deps.sessionKeys;
    this.keyProblem = deps.ports ? undefined : 'the Momento data key has not been read yet';
  }

  async start(): Promise<void> {
    this.every(this.settings.keyCheckIntervalMs, () => this.reportWaiting());
    if (this.deps.ports) {
      this.sessionKeys ??= await loadSessionKeys(this.config, this.readSecret);
      this.begin(this.deps.ports, undefined, this.sessionKeys);
    } else {
      await this.watchKeys(this.settings.initialBackoffMs);
    }
    const { metrics } = this;
    if (metrics.flush) this.every(this.o.metricsFlushMs ?? 10_000, () => metrics.flush?.());
    const healthPort = this.o.healthPort === undefined ? this.config.healthPort : this.o.healthPort;
    if (healthPort !== false) this.health = await startHealthServer(healthPort, () => this.healthReport());
  }

  ready(): Promise<void> {
    return this.readyPromise;
  }

  stats(): SubscriberStats {
    const shards = this.connection?.shards.map((shard) => shard.stats()) ?? [];
    const current = this.status();
    return {
      healthy: this.healthy(),
      status: current.status,
      reason: current.reason,
      shards,
      role: this.ownership?.role ?? 'sole',
      takeovers: this.ownership?.stats().takeovers ?? 0,
      messages: this.processor?.stats() ?? noProcessorStats(),
      stalledForMs: this.processor?.stalledForMs() ?? 0,
      inFlight: this.processor?.inFlight ?? 0,
      sweeps: this.sweeps,
      sessionsEnded: this.sessionsEnded,
      keyRotations: this.keyRotations,
      healthPort: this.health?.port,
      lastError: shards.map((shard) => shard.lastError).find((e) => e !== undefined) ?? this.lastError,
    };
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.keyTimer);
    this.timers.forEach((timer) => clearInterval(timer));
    clearInterval(this.sweeper);
    this.connection?.shards.forEach((shard) => shard.stop());
    if (this.processor) {
      // Drain: let accepted messages finish, within a bound.
      let drainTimer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.processor.drain(),
        new Promise<void>((resolve) => (drainTimer = setTimeout(resolve, this.o.drainTimeoutMs ?? 10_000))),
      ]);
      clearTimeout(drainTimer);
    }
    // Let a sweep in progress finish too, so its writes are not cut in half.
    while (this.sweeping) await sleep(10);
    await this.engine?.flushDeadlineIndex?.();
    // Released only now: the standby subscribes once what this process accepted is written.
    await this.ownership?.stop();
    this.metrics.flush?.();
    await this.health?.close();
    for (const entry of this.retiring) {
      clearTimeout(entry.timer);
      entry.ports.close?.();
    }
    this.retiring.clear();
    if (!this.deps.ports) this.connection?.ports.close?.();
    this.logger.info('heartbeat subscriber stopped', { messages: this.processor?.stats().received ?? 0 });
  }

  // ---- running on one data key ----

  private begin(ports: SubscriberPorts, keys: string | undefined, keysForMessages: SessionKeys): void {
    const { config, deps, o, settings, metrics, logger, now } = this;
    const cache = (this.cache = new RotatingCachePort(ports.cache));
    this.topics = new RotatingTopicPort(ports.topics);
    // Deadline index writes are batched per shard: a long-running process can flush them on stop.
    this.engine =
      deps.engine ??
      createEngine(config, {
        cache,
        topics: this.topics,
        events: deps.events,
        metrics,
        logger,
        now,
        deadlineIndexBatch: { windowMs: o.deadlineIndexWindowMs },
      });
    this.processor = new DeviceMessageProcessor(
      this.engine,
      metrics,
      logger,
      settings.maxConcurrency,
      o.maxQueued ?? 10_000,
      {
        sessionKeys: keysForMessages,
        maxQueuedPerAccount: o.maxQueuedPerAccount,
        unknownSessionsPerSecond: o.unknownSessionsPerSecond,
        unknownSessionBurst: o.unknownSessionBurst,
        messageTimeoutMs: settings.messageTimeoutMs,
        now,
      },
    );
    this.connection = { ports, keys, shards: [] };
    const readyCheck = setInterval(() => {
      const standingBy =
        this.ownership?.role === 'standby' && this.ownership.stats().checks > 0 && !this.ownership.stats().failure;
      const shards = this.connection?.shards ?? [];
      if (standingBy || (shards.length > 0 && shards.every((shard) => shard.stats().subscribes > 0))) {
        clearInterval(readyCheck);
        this.markReady();
      }
    }, 20);
    readyCheck.unref();
    this.timers.push(readyCheck);
    if (settings.ownershipSeconds === undefined) {
      this.activate();
      return;
    }
    this.ownership = new ShardOwnership({
      cache,
      shards: config.subscriberShards,
      ttlSeconds: settings.ownershipSeconds,
      onActive: () => this.activate(),
      onStandby: () => this.standBy(),
      canLead: () => !this.stuck(),
      logger,
      metrics,
      now,
    });
    void this.ownership.start();
  }

  /** Subscribes to every shard and sweeps: the sole process, or the owner of the shards. */
  private activate(): void {
    const connection = this.connection;
    if (this.stopped || !connection || connection.shards.length > 0) return;
    connection.shards = this.subscribeShards(connection.ports.topics);
    if (this.ownership) {
      // Heartbeats published during the takeover reached nobody: leases they would have renewed
      // are ended only once one heartbeat interval has passed, enough for their next heartbeat.
      this.lapsedFrom = this.now() + this.config.heartbeatIntervalSeconds * 1000;
    }
    this.sweeper = setInterval(() => void this.sweep(), this.settings.sweepIntervalMs);
    this.sweeper.unref();
  }

  /** Another process owns the shards: no subscription, no sweep, nothing per heartbeat. */
  private standBy(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    if (!this.connection) return;
    this.connection.shards.forEach((shard) => shard.stop());
    this.connection.shards = [];
  }

  private subscribeShards(shardTopics: TopicPort): ShardSubscription[] {
    const { config, settings, logger, metrics, now } = this;
    const processor = this.processor!;
    const shards = config.subscriberShards.map(
      (shard) =>
        new ShardSubscription({
          shard,
          topic: heartbeatTopicName(config.heartbeatTopic, shard, config.topicShards),
          topics: shardTopics,
          onMessage: (message) => processor.submit(message),
          // After a gap, look for expired sessions at once rather than at the next tick.
          onGap: () => void this.sweep(),
          logger,
          metrics,
          now,
          watchdogMs: settings.watchdogMs,
          subscribeTimeoutMs: settings.subscribeTimeoutMs,
          initialBackoffMs: settings.initialBackoffMs,
          maxBackoffMs: settings.maxBackoffMs,
        }),
    );
    shards.forEach((shard) => shard.start());
    return shards;
  }

  private async sweep(): Promise<void> {
    if (this.sweeping || !this.engine || this.stopped || this.ownership?.role === 'standby') return;
    this.sweeping = true;
    try {
      // Behind on messages (after an outage) or just taken over: heartbeats not read yet may
      // still renew leases, so only maximum durations are ended until then.
      const behind = (this.processor?.backlog ?? 0) > this.settings.maxConcurrency;
      const result = await this.engine.sweep(this.config.subscriberShards, {
        lapsed: !behind && this.now() >= this.lapsedFrom,
        lookaheadMs: this.settings.sweepLookaheadMs,
      });
      this.sweeps += 1;
      this.sessionsEnded += result.ended;
    } catch (error) {
      this.metrics.count('MomentoErrors');
      this.logger.warn('expiry sweep failed', { error: errorMessage(error) });
    } finally {
      this.sweeping = false;
    }
  }

  // ---- keys ----

  /** Closes a replaced key's clients once calls already made on them have had time to finish. */
  private retire(ports: SubscriberPorts): void {
    const entry = {
      ports,
      timer: setTimeout(() => {
        this.retiring.delete(entry);
        ports.close?.();
      }, this.settings.rotationGraceMs),
    };
    entry.timer.unref();
    this.retiring.add(entry);
  }

  /** Subscribe with the new key beside the old subscriptions, then move over and close the old. */
  private async rotate(keys: MomentoKeys, digest: string, current: Connection): Promise<void> {
    const { settings, logger } = this;
    let ports: SubscriberPorts;
    try {
      ports = this.connect(keys);
    } catch (error) {
      this.lastError = errorMessage(error);
      logger.error('the new Momento data key cannot be used; keeping the current one', { error: this.lastError });
      return;
    }
    // A standby has no subscriptions to move: its next ownership check uses the new key.
    const shards = current.shards.length > 0 ? this.subscribeShards(ports.topics) : [];
    // Each shard gets its subscribe timeout and one retry before the new key is judged.
    const deadline = Date.now() + 2 * settings.subscribeTimeoutMs + settings.initialBackoffMs;
    while (!this.stopped && !shards.every((shard) => shard.subscribed) && Date.now() < deadline) await sleep(20);
    if (this.stopped || !shards.every((shard) => shard.subscribed)) {
      shards.forEach((shard) => shard.stop());
      ports.close?.();
      if (this.stopped) return;
      this.lastError =
        shards.map((shard) => shard.stats().lastError).find((e) => e !== undefined) ??
        'the new subscriptions did not start in time';
      logger.error('Momento refused the new data key; keeping the current one and trying again at the next key check', {
        error: this.lastError,
        retryInMs: settings.keyCheckIntervalMs,
      });
      this.metrics.count('MomentoErrors');
      return;
    }
    this.cache!.use(ports.cache);
    this.topics!.use(ports.topics);
    // Stood down while the new subscriptions started: they go too.
    if (this.connection !== current || (this.ownership?.role === 'standby' && shards.length > 0)) {
      shards.forEach((shard) => shard.stop());
      this.connection = { ports, keys: digest, shards: [] };
    } else {
      this.connection = { ports, keys: digest, shards };
    }
    current.shards.forEach((shard) => shard.stop());
    this.retire(current.ports);
    this.keyRotations += 1;
    logger.info('Momento data key rotated: subscribed with the new key, old subscriptions closed', {
      shards: this.config.subscriberShards,
      closeOldClientsInMs: settings.rotationGraceMs,
    });
  }

  /** Reads the keys: connects the first time, rotates when the data key changed. False when they cannot be used. */
  private async checkKeys(): Promise<boolean> {
    let keys: MomentoKeys;
    try {
      this.sessionKeys ??= await loadSessionKeys(this.config, this.readSecret);
      keys = await loadMomentoKeys(this.config, this.readSecret);
    } catch (error) {
      const message = errorMessage(error);
      if (this.connection)
        this.logger.warn('cannot read the key secrets again; keeping the current key', { error: message });
      else this.keyProblem = message;
      return false;
    }
    const digest = secretsFingerprint(keys.dataKey);
    if (!this.connection) {
      let ports: SubscriberPorts;
      try {
        ports = this.connect(keys);
      } catch (error) {
        this.keyProblem = errorMessage(error);
        return false;
      }
      this.keyProblem = undefined;
      this.logger.info('Momento data key read; subscribing', { shards: this.config.subscriberShards });
      this.begin(ports, digest, this.sessionKeys);
    } else if (this.connection.keys !== digest) {
      await this.rotate(keys, digest, this.connection);
    }
    return true;
  }

  private async watchKeys(backoffMs: number): Promise<void> {
    if (this.stopped) return;
    const ok = await this.checkKeys();
    if (this.stopped) return;
    if (!ok && !this.connection && this.keyProblem !== this.lastError) {
      // Said once per reason here; the reporter repeats it every key check interval.
      this.lastError = this.keyProblem;
      this.logger.error('heartbeat subscriber waiting for its Momento data key', {
        status: 'waiting-for-key',
        reason: this.keyProblem,
        retryInMs: backoffMs,
      });
    }
    // Running: read again on the interval. Waiting: with backoff, up to the interval.
    const { initialBackoffMs, keyCheckIntervalMs } = this.settings;
    const running = ok || this.connection !== undefined;
    this.keyTimer = setTimeout(
      () => void this.watchKeys(running ? initialBackoffMs : Math.min(keyCheckIntervalMs, backoffMs * 2)),
      running ? keyCheckIntervalMs : backoffMs,
    );
    this.keyTimer.unref();
  }

  // ---- health ----

  private stuck(): boolean {
    return (this.processor?.stalledForMs() ?? 0) >= this.settings.stuckAfterMs;
  }

  private healthy(): boolean {
    const connection = this.connection;
    if (this.stopped || !connection || this.stuck()) return false;
    if (this.ownership?.role === 'standby') return true;
    return connection.shards.length > 0 && connection.shards.every((shard) => shard.subscribed);
  }

  private status(): { status: SubscriberStatus; reason?: string } {
    const connection = this.connection;
    if (this.stopped) return { status: 'stopped' };
    if (!connection) return { status: 'waiting-for-key', reason: this.keyProblem };
    if (this.stuck()) {
      const stalled = this.processor!.stalledForMs();
      return {
        status: 'stuck',
        reason: `no device message finished for ${Math.round(stalled)} ms with ${this.processor!.inFlight} waiting or in flight (bound ${this.settings.stuckAfterMs} ms)`,
      };
    }
    const ownership = this.ownership?.stats();
    if (ownership?.role === 'standby' && !ownership.failure) return { status: 'standby' };
    if (this.healthy() && !ownership?.failure) return { status: 'ok' };
    // What the shards' subscribes and the ownership checks were refused for.
    const failing = connection.shards.map((shard) => shard.stats()).filter((shard) => shard.state !== 'subscribed');
    const failures = [
      ...failing.map((shard) => ({ kind: shard.lastErrorKind, message: shard.lastError })),
      ...(ownership?.failure ? [ownership.failure] : []),
    ];
    const kinds = failures.map((failure) => failure.kind);
    if (kinds.includes('not-found')) {
      return {
        status: 'waiting-for-cache',
        reason: `the Momento cache ${this.config.cacheName} does not exist: create it in the Momento console (or with the Momento CLI) in the region of the key's endpoint`,
      };
    }
    if (kinds.includes('authentication') || kinds.includes('permission')) {
      return {
        status: 'waiting-for-key',
        reason: `Momento refuses the data key (${failures.find((failure) => failure.message)?.message ?? 'refused'}): put a key with publish-subscribe rights on the cache in the data key secret`,
      };
    }
    if (ownership?.role === 'standby') return { status: 'standby', reason: ownership.failure?.message };
    if (this.healthy()) return { status: 'ok' };
    return { status: 'unavailable', reason: failures.find((failure) => failure.message)?.message };
  }

  private healthReport(): HealthReport {
    const current = this.status();
    return {
      // Waiting is answered 200: a new task would wait the same, and the alarm tells the operator.
      ok: ['ok', 'standby', 'waiting-for-key', 'waiting-for-cache'].includes(current.status),
      body: {
        status: current.status,
        reason: current.reason,
        role: this.ownership?.role ?? 'sole',
        shards: this.stats().shards.map((s) => ({ shard: s.shard, state: s.state })),
      },
    };
  }

  /** While it waits, say so where an operator looks: a metric (alarmed), a log line. */
  private reportWaiting(): void {
    const current = this.status();
    if (current.status !== 'waiting-for-key' && current.status !== 'waiting-for-cache') return;
    this.metrics.count('SubscriberWaiting');
    this.logger.error(
      current.status === 'waiting-for-cache'
        ? 'heartbeat subscriber waiting for its cache'
        : 'heartbeat subscriber waiting for its Momento data key',
      {
        status: current.status,
        reason: current.reason,
        cacheName: this.config.cacheName,
      },
    );
  }

  private every(ms: number, tick: () => void): void {
    const timer = setInterval(tick, ms);
    timer.unref();
    this.timers.push(timer);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
