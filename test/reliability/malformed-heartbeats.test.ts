import fc from 'fast-check';
import { TopicPublish } from '@gomomento/sdk';
import type { ConcurrencyEngine } from '../../lambda/core/engine/engine-types';
import { createHandlerDependencies } from '../../lambda/core/runtime/handler-dependencies';
import { CountingMetrics } from '../lambda/core/support/counting-metrics';
import { silentLogger } from '../../lambda/core/ports/observability';
import { processSessionKeySecret, SessionKeys } from '../../lambda/core/messages/session-key';
import { DeviceMessageProcessor } from '../../lambda/heartbeat-subscriber/device-message-processor';
import {
  startHeartbeatSubscriber,
  type HeartbeatSubscriber,
} from '../../lambda/heartbeat-subscriber/heartbeat-subscriber';
import { recordFigures } from './figures';
import { deviceTopicClient } from './harness/device-clients';
import { DeviceFleet } from './harness/device-fleet';
import { startLocalTracker, type LocalTracker } from './harness/local-tracker';
import { tripwire, TripwireLog } from './harness/tripwire';
import { DEFECTS, malformedBatch, malformedHeartbeat, type Defect } from './payloads/malformed-heartbeat';
import { scale } from './scale';

// Malformed heartbeats never crash the subscriber, are each counted as rejected, and leave the
// sessions of well-behaved devices of the same account untouched.

describe('malformed heartbeats, property-based, through the message processor', () => {
  it(`${scale.propertyRuns} generated payloads: none throws, each is rejected, none reaches the engine`, () => {
    const log = new TripwireLog();
    const metrics = new CountingMetrics();
    const processor = new DeviceMessageProcessor(
      tripwire<ConcurrencyEngine>('engine', log),
      metrics,
      silentLogger,
      4,
      100,
      { sessionKeys: new SessionKeys(processSessionKeySecret()) },
    );
    let sequence = 0;
    fc.assert(
      fc.property(malformedHeartbeat({ sessionIds: ['session-good'], deviceIds: ['device-good'] }), (m) => {
        const before = processor.stats().rejected;
        processor.submit({ value: m.value, tokenId: 'acct-good', sequenceNumber: (sequence += 1) });
        return processor.stats().rejected === before + 1 && log.calls.length === 0;
      }),
      { numRuns: scale.propertyRuns, seed: 7 },
    );
    expect(metrics.get('HeartbeatsRejected')).toBe(scale.propertyRuns);
  });
});

describe('malformed heartbeats published to a running subscriber', () => {
  let tracker: LocalTracker;
  let subscriber: HeartbeatSubscriber;
  let fleet: DeviceFleet;
  const metrics = new CountingMetrics();
  const unhandled: unknown[] = [];
  const onUnhandled = (error: unknown) => unhandled.push(error);

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    process.on('uncaughtException', onUnhandled);
    tracker = await startLocalTracker({ LEASE_SECONDS: '6', HEARTBEAT_INTERVAL_SECONDS: '1' });
    subscriber = await startHeartbeatSubscriber(tracker.config, {
      ports: tracker.ports,
      events: tracker.events,
      metrics,
      options: { healthPort: false },
    });
    await subscriber.ready();
    fleet = await DeviceFleet.admit(
      tracker.emulator,
      createHandlerDependencies(tracker.config, tracker.ports),
      6,
      2,
      'fuzz',
    );
    fleet.start(1000);
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    process.off('uncaughtException', onUnhandled);
    await fleet?.stop();
    await subscriber?.stop();
    await tracker?.stop();
  });

  it(`${scale.fuzzedPayloads} payloads: zero crashes, every one counted as rejected, good sessions untouched`, async () => {
    const targets = {
      sessionIds: fleet.devices.map((d) => d.grant.sessionId),
      deviceIds: fleet.devices.map((d) => d.deviceId),
    };
    const batch = malformedBatch(scale.fuzzedPayloads, 20261125, targets);
    // Published with the good devices' own account token: the worst case, a broken or hostile
    // player of the same account aiming at its sessions.
    const victim = fleet.devices[0];
    const attacker = deviceTopicClient(tracker.emulator, victim.grant.token);
    const before = subscriber.stats().messages;
    const started = Date.now();
    const perDefect = Object.fromEntries(DEFECTS.map((d) => [d, 0])) as Record<Defect, number>;
    let refusedByMomento = 0;
    let published = 0;
    const caughtUp = async () => {
      const deadline = Date.now() + 120_000;
      while (subscriber.stats().messages.rejected - before.rejected < published && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    // Paced by what the subscriber has taken in: this checks how each payload is handled, not how
    // many a stream carries per second (docs/benchmarks.md measures that).
    for (let i = 0; i < batch.length; i += 50) {
      const slice = batch.slice(i, i + 50);
      const responses = await Promise.all(
        slice.map((m) => attacker.publish(victim.grant.cacheName, victim.grant.heartbeatTopic, m.value)),
      );
      responses.forEach((r, j) => {
        if (r instanceof TopicPublish.Success) {
          perDefect[slice[j].defect] += 1;
          published += 1;
        } else refusedByMomento += 1;
      });
      await caughtUp();
    }
    const elapsedMs = Date.now() - started;
    const after = subscriber.stats().messages;
    // Let the good devices heartbeat past the flood, then look at their sessions.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const views = await Promise.all(['fuzz-acct-0', 'fuzz-acct-1'].map((a) => tracker.engine.listSessions(a)));
    const liveSessions = new Set(views.flatMap((v) => v.sessions.map((s) => s.sessionId)));
    const untouched = fleet.devices.filter((d) => liveSessions.has(d.grant.sessionId)).length;
    const stats = subscriber.stats();

    recordFigures({
      id: 'malformed-heartbeats',
      promise:
        'Malformed heartbeats (invalid JSON, wrong types, oversized, unicode, missing fields, wrong version, binary) never crash the subscriber, are each counted as rejected, and leave well-behaved devices’ sessions untouched.',
      test: 'test/reliability/malformed-heartbeats.test.ts',
      figures: {
        'payloads generated': batch.length,
        'refused by Momento before the subscriber (over 4 KB)': refusedByMomento,
        'payloads delivered to the subscriber': published,
        'counted as rejected': after.rejected - before.rejected,
        'processed as a heartbeat or stop': after.received - before.received - (after.rejected - before.rejected),
        'unhandled errors in the process': unhandled.length,
        'subscriber healthy afterwards': stats.healthy,
        'dropped by the subscriber under load (shed)': after.shed - before.shed,
        'stream discontinuities': stats.shards.reduce((n, s) => n + s.discontinuities, 0),
        'subscriber resubscribes': stats.shards.reduce((n, s) => n + s.resubscribes, 0),
        'emulator: items delivered to subscribers': tracker.emulator.stats().itemsDelivered,
        'emulator: messages published': tracker.emulator.stats().messagesPublished,
        'good devices': fleet.devices.length,
        'good devices whose session is untouched': untouched,
        'property runs in process (no crash, rejected, engine untouched)': scale.propertyRuns,
        'seconds to publish and reject the batch': Math.round(elapsedMs / 100) / 10,
        ...Object.fromEntries(Object.entries(perDefect).map(([d, n]) => [`delivered: ${d}`, n])),
      },
    });

    expect(refusedByMomento).toBe(0);
    expect(after.rejected - before.rejected).toBe(published);
    // Only the good devices' own heartbeats were processed meanwhile, and all of them refreshed.
    expect(after.failed - before.failed).toBe(0);
    expect(after.outcomes.stopped).toBe(0);
    expect(after.outcomes['lease-lost']).toBe(0);
    expect(after.outcomes.rejected).toBe(0);
    expect(stats.healthy).toBe(true);
    expect(unhandled).toEqual([]);
    expect(untouched).toBe(fleet.devices.length);
  });
});
