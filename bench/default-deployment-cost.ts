import { randomUUID } from 'node:crypto';
import { createMomentoPorts } from '../lambda/core/adapters/momento-clients';
import {
  startHeartbeatSubscriber,
  type HeartbeatSubscriber,
} from '../lambda/heartbeat-subscriber/heartbeat-subscriber';
import { DEFAULTS } from '../lib/private/tracker-settings';
import type { Emulator, EmulatorStats } from '../local/emulator';
import { accountIds, startBenchEngine } from './bench-engine';
import type { BenchScale } from './bench-scale';
import type { SystemRow } from './bench-results';
import { callsBetween, describeCallsPer, round, totalCalls } from './call-counts';
import { DeviceFleet, type FleetDevice } from './device-fleet';
import { runWithConcurrency } from './run-with-concurrency';
import { firstStreamRestart } from './emulator-ceiling';
import { finishedMessages } from './subscriber-process';
import { sleep, waitFor } from './wait-for';

const LIMIT = 3;
const n = (value: number) => Math.round(value).toLocaleString('en-US');
/** Momento meters each operation in 1 KB increments. */
const BILLING_UNIT_BYTES = 1024;
/** Every device heartbeats once a round. */
const ROUND_MS = 1000;
/** The batched deadline-index write (gRPC `SortedSetPut`, many elements): the one call whose payload can pass 1 KB. */
const BATCHED_WRITE = 'SortedSetPut';

export interface DefaultDeploymentCost {
  readonly row: SystemRow;
  readonly billedPerHeartbeat: number;
}

/**
 * What one heartbeat costs a default deployment in billed Momento operations: the construct's
 * default number of subscriber processes per shard (`subscriberDesiredCount`), each started as the
 * container starts it (ownership on, so one owns the shard and the others stand by), devices
 * heartbeating in real (compressed) time, and everything the emulator saw over whole heartbeat
 * rounds: publishes, deliveries to every subscription, and every cache call, the periodic ones
 * (ownership checks of every process, sweeps) and the batched writes included.
 */
export async function measureDefaultDeploymentCost(
  emulator: Emulator,
  scale: BenchScale,
): Promise<DefaultDeploymentCost> {
  const processes = DEFAULTS.subscriberDesiredCount;
  // The construct's default timing (10 s heartbeats, 30 s leases: a 5 s ownership lease, a sweep a
  // second), while the devices heartbeat every second: the periodic calls are shared over ten times
  // the heartbeats these devices would send, as over ten times the devices, and no lease can lapse
  // while a loaded machine admits them.
  const bench = startBenchEngine(emulator, 'leases', {
    DEFAULT_LIMIT: String(LIMIT),
    HEARTBEAT_TOPIC: 'heartbeat-default-deployment',
    HEARTBEAT_INTERVAL_SECONDS: String(DEFAULTS.heartbeatIntervalSeconds),
    LEASE_SECONDS: String(DEFAULTS.heartbeatIntervalSeconds * DEFAULTS.leaseIntervals),
  });
  const fleet = new DeviceFleet(bench.config, bench.ports.tokens!, emulator.address);
  const subscribers: HeartbeatSubscriber[] = [];
  const closers: (() => void)[] = [];
  try {
    for (let i = 0; i < processes; i += 1) {
      // Each with its own SDK clients and engine, as its own task would have.
      const ports = createMomentoPorts(bench.config);
      closers.push(() => ports.close());
      const subscriber = await startHeartbeatSubscriber(bench.config, {
        ports,
        options: { healthPort: false, ownership: true },
      });
      await subscriber.ready();
      subscribers.push(subscriber);
    }
    // The owner's first stream is restarted by the SDK after 5 s (see the report's setup): measured after it.
    await firstStreamRestart(emulator);
    const accounts = accountIds(`dd-${randomUUID().slice(0, 8)}`, Math.ceil(scale.costOperations / LIMIT));
    const devices: FleetDevice[] = [];
    for (const accountId of accounts) {
      for (let d = 0; d < LIMIT && devices.length < scale.costOperations; d += 1) {
        const outcome = await bench.engine.admit({ accountId, deviceId: `d${d}` });
        if (outcome.kind !== 'admitted') throw new Error(`default deployment: admission was ${outcome.kind}`);
        devices.push({ accountId, deviceId: `d${d}`, sessionId: outcome.session.sessionId });
      }
    }
    const finished = () => subscribers.reduce((sum, s) => sum + finishedMessages(s.stats()), 0);
    const round_ = async () => {
      const t0 = Date.now();
      await runWithConcurrency(devices.length, 16, async (i) => {
        const device = devices[i]!;
        if (!(await fleet.heartbeat(device))) throw new Error('default deployment: publish refused');
      });
      await sleep(Math.max(0, ROUND_MS - (Date.now() - t0)));
    };
    await round_(); // warm-up: tokens, memoised records
    const rounds = scale.name === 'full' ? 10 : 3;
    const before: EmulatorStats = emulator.stats();
    const finishedBefore = finished();
    for (let r = 0; r < rounds; r += 1) await round_();
    const heartbeats = rounds * devices.length;
    if (!(await waitFor(() => finished() - finishedBefore >= heartbeats, 30_000)))
      throw new Error('default deployment: heartbeats not processed');
    const after = emulator.stats();
    const calls = callsBetween(before, after);
    const published = after.messagesPublished - before.messagesPublished;
    const delivered = after.itemsDelivered - before.itemsDelivered;
    // A batched write of n deadlines is billed by its size: n × (session id + 8-byte score), at least 1 KB.
    const sessionIdBytes = Buffer.byteLength(devices[0]!.sessionId);
    const batches = calls[BATCHED_WRITE] ?? 0;
    const deadlinesPerBatch = batches > 0 ? heartbeats / batches : 0;
    const unitsPerBatch = Math.max(1, Math.ceil((deadlinesPerBatch * (sessionIdBytes + 8)) / BILLING_UNIT_BYTES));
    const cacheCalls = totalCalls(calls) - (calls.Publish ?? 0);
    const billed = published + delivered + cacheCalls + batches * (unitsPerBatch - 1);
    const roles = subscribers.map((s) => s.stats().role);
    const billedPerHeartbeat = billed / heartbeats;
    return {
      billedPerHeartbeat,
      row: {
        measure: 'Billed operations per heartbeat (default deployment)',
        value: round(billedPerHeartbeat).toFixed(2),
        target: '≤ 2.2',
        met: billedPerHeartbeat <= 2.2,
        note:
          `${processes} subscriber processes (the construct's default per shard; roles ${roles.join(' + ')}) with the default ${bench.config.heartbeatIntervalSeconds} s heartbeats and ${bench.config.leaseSeconds} s leases, ` +
          `${devices.length} devices heartbeating every ${ROUND_MS / 1000} s (as ${n((devices.length * bench.config.heartbeatIntervalSeconds * 1000) / ROUND_MS)} devices would at the default interval), ${rounds} rounds: ` +
          `publishes ${round(published / heartbeats)}, deliveries ${round(delivered / heartbeats)}, cache calls ${round(cacheCalls / heartbeats)} (${describeCallsPer(Object.fromEntries(Object.entries(calls).filter(([m]) => m !== 'Publish')), heartbeats)}) per heartbeat; ` +
          `a batched write carried ${round(deadlinesPerBatch, 1)} deadlines, billed ${unitsPerBatch} KB. The periodic calls (ownership checks every third of the ownership lease by every process, sweeps) ` +
          'are shared over these heartbeats; over more devices per shard their share falls.',
      },
    };
  } finally {
    for (const subscriber of subscribers) await subscriber.stop();
    closers.forEach((close) => close());
    fleet.close();
    bench.close();
  }
}
