import { createEngine, type EngineDependencies } from '../../../../lambda/core/engine/engine';
import type { AdmissionOutcome, ConcurrencyEngine } from '../../../../lambda/core/engine/engine-types';
import { RecordingEventSink } from './recording-event-sink';
import { CountingMetrics } from './counting-metrics';
import { testConfig } from './engine-config';
import { InMemoryCache } from './in-memory-cache';
import { ManualClock } from './manual-clock';
import { RecordingTopics } from './recording-topics';

/** An engine on in-memory ports and a manual clock, with the ports at hand for assertions. */
export interface EngineFixture {
  readonly clock: ManualClock;
  readonly cache: InMemoryCache;
  readonly topics: RecordingTopics;
  readonly events: RecordingEventSink;
  readonly metrics: CountingMetrics;
  /** An engine over these ports (session ids s-1, s-2, ...), configured by env names. */
  engineWith(env?: Record<string, string>, extra?: Partial<EngineDependencies>): ConcurrencyEngine;
}

/** Fresh ports for one test. */
export function engineFixture(): EngineFixture {
  const clock = new ManualClock();
  const cache = new InMemoryCache(clock);
  const topics = new RecordingTopics();
  const events = new RecordingEventSink();
  const metrics = new CountingMetrics();
  let ids = 0;
  return {
    clock,
    cache,
    topics,
    events,
    metrics,
    engineWith: (env = {}, extra = {}) =>
      createEngine(testConfig(env), {
        cache,
        topics,
        events,
        metrics,
        now: clock.now,
        newSessionId: () => `s-${++ids}`,
        ...extra,
      }),
  };
}

/** The session of an admission that must have been admitted. */
export function admittedSession(outcome: AdmissionOutcome) {
  if (outcome.kind !== 'admitted') throw new Error(`expected admitted, got ${outcome.kind}`);
  return outcome.session;
}
