import { cacheKeys } from './cache-keys';
import type { RuntimeConfig } from '../runtime/config';
import { encodeControlMessage, type ControlMessageType, type EndReason } from '../messages/control-message';
import type { CountingStrategy } from './counting-strategy';
import { lifecycleEventId, type LifecycleEventSink } from '../ports/lifecycle-event-sink';
import type { LifecycleDetailType } from '../../../contract/lifecycle-events';
import type { CachePort, TopicPort } from '../ports/momento-ports';
import type { EngineLogger, EngineMetrics, MetricName } from '../ports/observability';
import { controlTopicName } from './scope';
import { holderOf, type SessionRecord, type SessionStore } from './session-store';
import { errorNameAndMessage } from '../error-message';

/** How each end reason is reported: lifecycle event, metric, and what the device is told. */
const END_REPORTS: Record<
  EndReason,
  { detailType: LifecycleDetailType; metric: MetricName; control?: ControlMessageType }
> = {
  stopped: { detailType: 'Session Stopped', metric: 'SessionsStopped' },
  'lease-expired': { detailType: 'Session Expired', metric: 'SessionsExpired', control: 'expired' },
  'lease-lost': { detailType: 'Session Expired', metric: 'SessionsExpired', control: 'expired' },
  'max-duration': { detailType: 'Session Expired', metric: 'SessionsExpired', control: 'expired' },
  'evicted-by-newer-session': { detailType: 'Session Evicted', metric: 'Evictions', control: 'evicted' },
  'ended-by-account': { detailType: 'Session Evicted', metric: 'SessionsEnded', control: 'evicted' },
  // The same device of the account started a new session (a copied device id on another screen).
  replaced: { detailType: 'Session Evicted', metric: 'Evictions', control: 'evicted' },
};

/**
 * What a device is told about a session that ended for `reason` (the value of its end marker),
 * or undefined when there is nothing to tell (stopped by the device itself).
 */
export function controlMessageForEnd(reason: string): ControlMessageType | undefined {
  return Object.prototype.hasOwnProperty.call(END_REPORTS, reason)
    ? END_REPORTS[reason as EndReason].control
    : undefined;
}

export interface SessionLifecycleDeps {
  readonly config: RuntimeConfig;
  readonly cache: CachePort;
  readonly topics: TopicPort;
  readonly sessions: SessionStore;
  readonly strategy: CountingStrategy;
  readonly events: LifecycleEventSink;
  readonly metrics: EngineMetrics;
  readonly logger: EngineLogger;
  readonly now: () => number;
}

/** Seconds a session record (and its end marker) lives: longer than any session can. */
export function sessionRecordTtlSeconds(config: RuntimeConfig): number {
  const sessionBound = config.maxSessionSeconds > 0 ? config.maxSessionSeconds : 2 * config.tokenTtlSeconds;
  return sessionBound + config.leaseSeconds + 60;
}

/** TTL of the per-shard sorted sets; every write refreshes it. */
export function indexTtlSeconds(config: RuntimeConfig): number {
  return sessionRecordTtlSeconds(config) + 86_400;
}

/**
 * Ends sessions exactly once across processes: the first to write the session's end marker
 * (`setIfAbsent`) reports the end (event, metric, control message); everyone else only tidies.
 * Two subscribers side by side therefore emit one expired event per session.
 */
export class SessionLifecycle {
  constructor(private readonly deps: SessionLifecycleDeps) {}

  /**
   * Ends `record` for `reason`. `release` frees its place (false when it is already gone or was
   * taken over). Resolves whether this call was the one that ended it.
   */
  async end(record: SessionRecord, reason: EndReason, options: { release: boolean }): Promise<boolean> {
    const { cache, config, strategy, sessions } = this.deps;
    const won = await cache.setIfAbsent(cacheKeys.ended(record.sessionId), reason, sessionRecordTtlSeconds(config));
    const scope = {
      kind: config.limitScope,
      accountId: record.accountId,
      contentId: record.contentId,
      key: record.scopeKey,
    };
    if (won && options.release) {
      await strategy.release(scope, holderOf(record), record.slot);
    }
    await Promise.all([
      sessions.delete(record.sessionId),
      cache.sortedSetRemove(cacheKeys.deadlines(record.shard), [record.sessionId]),
      record.endsAt !== undefined
        ? cache.sortedSetRemove(cacheKeys.sessionEnds(record.shard), [record.sessionId])
        : Promise.resolve(),
    ]);
    if (!won) return false;
    await this.report(record, reason);
    return true;
  }

  /** Tells a device about its session on the account's control topic; failures are logged, not thrown. */
  async tell(accountId: string, sessionId: string, type: ControlMessageType, reason: string): Promise<void> {
    const topic = controlTopicName(this.deps.config.controlTopicPrefix, accountId);
    try {
      await this.deps.topics.publish(topic, encodeControlMessage({ v: 1, type, sessionId, reason }));
    } catch (error) {
      this.deps.metrics.count('MomentoErrors');
      this.deps.logger.warn('control message not delivered', { sessionId, type, error: errorNameAndMessage(error) });
    }
  }

  private async report(record: SessionRecord, reason: EndReason): Promise<void> {
    const report = END_REPORTS[reason];
    this.deps.metrics.count(report.metric);
    this.deps.logger.info('session ended', {
      sessionId: record.sessionId,
      accountId: record.accountId,
      deviceId: record.deviceId,
      reason,
    });
    await Promise.all([
      report.control ? this.tell(record.accountId, record.sessionId, report.control, reason) : Promise.resolve(),
      this.deps.events.emit({
        detailType: report.detailType,
        detail: {
          eventId: lifecycleEventId(report.detailType, record.scopeKey, record.sessionId, record.startedAt),
          accountId: record.accountId,
          scope: record.scopeKey,
          sessionId: record.sessionId,
          deviceId: record.deviceId,
          contentId: record.contentId,
          kind: record.kind,
          reason,
          at: new Date(this.deps.now()).toISOString(),
        },
      }),
    ]);
  }
}
