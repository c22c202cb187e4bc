import { createEngine } from '../../lambda/core/engine/engine';
import { createHandlerDependencies } from '../../lambda/core/runtime/handler-dependencies';
import { RecordingEventSink } from '../lambda/core/support/recording-event-sink';
import type { LifecycleEvent } from '../../lambda/core/ports/lifecycle-event-sink';
import type { MomentoPorts } from '../../lambda/core/ports/momento-ports';
import { createMomentoPorts } from '../../lambda/core/adapters/momento-clients';
import { CountingMetrics } from '../lambda/core/support/counting-metrics';
import {
  startHeartbeatSubscriber,
  type HeartbeatSubscriber,
} from '../../lambda/heartbeat-subscriber/heartbeat-subscriber';
import { recordFigures } from './figures';
import { DeviceFleet, type FleetDevice } from './harness/device-fleet';
import { startLocalTracker, type LocalTracker } from './harness/local-tracker';

// Two subscribers side by side (the construct's high-availability setting) reach the same state,
// their events carry ids that make duplicates detectable, and losing one loses nothing.
const LEASE_SECONDS = 4;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/**
 * How long the expiries may take to show: the lease plus generous room for the sweep on a loaded
 * machine. A wait, not a measure: it ends as soon as what is expected has happened.
 */
const SETTLE_MS = 6 * LEASE_SECONDS * 1000;

async function settle(done: () => boolean): Promise<void> {
  const deadline = Date.now() + SETTLE_MS;
  while (!done() && Date.now() < deadline) await sleep(100);
}

interface Replica {
  readonly name: string;
  readonly ports: MomentoPorts;
  readonly events: RecordingEventSink;
  readonly subscriber: HeartbeatSubscriber;
}

let tracker: LocalTracker;
let a: Replica;
let b: Replica;
let fleet: DeviceFleet;

async function replica(name: string): Promise<Replica> {
  // Each replica has its own SDK clients, engine and memory, as two tasks would.
  const ports = createMomentoPorts(tracker.config);
  const events = new RecordingEventSink();
  const subscriber = await startHeartbeatSubscriber(tracker.config, {
    ports,
    events,
    metrics: new CountingMetrics(),
    options: { healthPort: false, sweepIntervalMs: 250 },
  });
  await subscriber.ready();
  return { name, ports, events, subscriber };
}

beforeAll(async () => {
  tracker = await startLocalTracker({
    LEASE_SECONDS: String(LEASE_SECONDS),
    HEARTBEAT_INTERVAL_SECONDS: '1',
    DEFAULT_LIMIT: '4',
  });
  a = await replica('a');
  b = await replica('b');
  fleet = await DeviceFleet.admit(
    tracker.emulator,
    createHandlerDependencies(tracker.config, tracker.ports),
    24,
    6,
    'ha',
  );
});
afterAll(async () => {
  await fleet?.stop();
  await a?.subscriber.stop();
  await b?.subscriber.stop();
  a?.ports.close();
  b?.ports.close();
  await tracker?.stop();
});

/** The entitlement of every fleet account as one replica's own engine computes it. */
async function viewThrough(ports: MomentoPorts): Promise<unknown[]> {
  const engine = createEngine(tracker.config, { cache: ports.cache, topics: ports.topics });
  const accounts = [...new Set(fleet.devices.map((d) => d.accountId))].sort();
  return Promise.all(
    accounts.map(async (id) => {
      const view = await engine.listSessions(id);
      return { id, active: view.active, sessions: view.sessions.map((s) => s.sessionId).sort() };
    }),
  );
}

/** Events of both replicas grouped by id: duplicates must be the same event. */
function byId(events: readonly LifecycleEvent[]): Map<string, LifecycleEvent[]> {
  const groups = new Map<string, LifecycleEvent[]>();
  for (const e of events) groups.set(e.detail.eventId, [...(groups.get(e.detail.eventId) ?? []), e]);
  return groups;
}

it('two subscribers reach the same state, their events are deduplicable by id, and killing one loses nothing', async () => {
  const [stopping, crashing, crashingLater, keeping] = [
    fleet.devices.slice(0, 4),
    fleet.devices.slice(4, 8),
    fleet.devices.slice(8, 12),
    fleet.devices.slice(12),
  ];
  // Only these heartbeat; the crashing ones simply never do.
  const heartbeating = new Set<FleetDevice>([...stopping, ...crashingLater, ...keeping]);
  fleet.start(1000, (d) => heartbeating.has(d));
  await sleep(1500);

  // Phase 1, both replicas: orderly stops, and crashes that expire after one lease.
  for (const d of stopping) heartbeating.delete(d);
  await fleet.sendStop(stopping);
  await sleep(LEASE_SECONDS * 1000);
  const distinct = (type: string) =>
    new Set([...a.events.events, ...b.events.events].filter((e) => e.detailType === type).map((e) => e.detail.eventId))
      .size;
  await settle(() => distinct('Session Stopped') >= stopping.length && distinct('Session Expired') >= crashing.length);
  const viewA = await viewThrough(a.ports);
  const viewB = await viewThrough(b.ports);
  const phase1 = [...a.events.events, ...b.events.events];
  const groups1 = byId(phase1);
  const stoppedIds = [...groups1.values()].filter((g) => g[0].detailType === 'Session Stopped').length;
  const expiredIds = [...groups1.values()].filter((g) => g[0].detailType === 'Session Expired').length;
  const inconsistentDuplicates = [...groups1.values()].filter((g) =>
    g.some((e) => JSON.stringify(e) !== JSON.stringify(g[0])),
  ).length;

  // Phase 2: replica A dies mid-stream (clients torn down first, as a killed task's connections
  // are); four more devices crash. B alone must keep every heartbeating device and end the rest once.
  a.ports.close();
  await a.subscriber.stop();
  for (const d of crashingLater) heartbeating.delete(d);
  const eventsBeforeKill = b.events.events.length;
  await sleep(LEASE_SECONDS * 1000);
  const laterCrashIds = new Set(crashingLater.map((d) => d.grant.sessionId));
  await settle(
    () =>
      b.events.events
        .slice(eventsBeforeKill)
        .filter((e) => e.detailType === 'Session Expired' && laterCrashIds.has(e.detail.sessionId ?? '')).length >=
      crashingLater.length,
  );
  await fleet.stop();
  const live = new Set((await viewThrough(b.ports)).flatMap((v) => (v as { sessions: string[] }).sessions));
  // Judged on the devices that really kept heartbeating: a device this loaded machine starved of
  // CPU for a whole lease has lost its slot by the rules, not by a subscriber's fault.
  const keptLost = keeping.filter((d) => d.longestGapMs < LEASE_SECONDS * 1000 && !live.has(d.grant.sessionId)).length;
  const laterEnded = crashingLater.filter((d) => !live.has(d.grant.sessionId)).length;
  const phase2 = b.events.events.slice(eventsBeforeKill);
  const laterExpiredIds = new Set(phase2.filter((e) => e.detailType === 'Session Expired').map((e) => e.detail.eventId))
    .size;

  recordFigures({
    id: 'redundancy',
    promise:
      'Two subscribers side by side reach the same state and emit events whose duplicates are detectable by id; killing one loses nothing.',
    test: 'test/reliability/redundancy.test.ts',
    figures: {
      devices: fleet.devices.length,
      'subscribers side by side': 2,
      'entitlement views identical through either replica': JSON.stringify(viewA) === JSON.stringify(viewB),
      'stopped sessions / distinct Stopped events': `${stopping.length} / ${stoppedIds}`,
      'crashed sessions / distinct Expired events': `${crashing.length} / ${expiredIds}`,
      'events emitted by both replicas (raw)': phase1.length,
      'duplicate events (same id)': phase1.length - groups1.size,
      'duplicates that differ in content': inconsistentDuplicates,
      'after killing one: heartbeating devices that lost their slot': keptLost,
      'after killing one: crashed devices ended / Expired events': `${laterEnded} / ${laterExpiredIds}`,
    },
  });

  expect(viewA).toEqual(viewB);
  expect(stoppedIds).toBe(stopping.length);
  expect(expiredIds).toBe(crashing.length);
  expect(inconsistentDuplicates).toBe(0);
  expect(keptLost).toBe(0);
  expect(laterEnded).toBe(crashingLater.length);
  expect(laterExpiredIds).toBe(crashingLater.length);
});
