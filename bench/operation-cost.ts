import { randomUUID } from 'node:crypto';
import { createCountingStrategy } from '../lambda/core/engine/create-counting-strategy';
import { resolveScope } from '../lambda/core/engine/scope';
import type { Emulator, EmulatorStats } from '../local/emulator';
import { accountIds, CAPPED_LIST_SIZE, INTERVAL_MS, startBenchEngine } from './bench-engine';
import type { BenchScale } from './bench-scale';
import { STRATEGIES, type MeasurementResult, type StrategyName, type StrategyRow } from './bench-results';
import { startByteCountingProxy, type ByteCountingProxy } from './byte-counting-proxy';
import { callsBetween, describeCallsPer, round, totalCalls } from './call-counts';
import { measureAdmissionLatency } from './admission-latency';
import { measureDefaultDeploymentCost } from './default-deployment-cost';
import { DeviceFleet, type FleetDevice } from './device-fleet';
import { processedMessages, startInProcessSubscriber } from './in-process-subscriber';
import { waitFor } from './wait-for';

interface OperationCost {
  readonly calls: number;
  readonly bytes: number;
  readonly breakdown: string;
}

interface StrategyCost {
  readonly admission: OperationCost;
  readonly heartbeat: OperationCost;
  readonly check: OperationCost;
  readonly countOnly: OperationCost;
}

const LIMIT = 3;

/**
 * Momento calls and bytes per admission, per heartbeat (device publish, delivery to the
 * subscriber, the subscriber's cache calls) and per entitlement check, from the emulator's call
 * counters and a byte-counting relay every client connects through.
 */
export async function measureOperationCost(emulator: Emulator, scale: BenchScale): Promise<MeasurementResult> {
  const started = Date.now();
  const proxy = await startByteCountingProxy(emulator);
  const costs: Partial<Record<StrategyName, StrategyCost>> = {};
  try {
    for (const strategy of STRATEGIES) costs[strategy] = await costOf(emulator, proxy, strategy, scale.costOperations);
  } finally {
    await proxy.close();
  }
  const deployment = await measureDefaultDeploymentCost(emulator, scale);
  const admission = await measureAdmissionLatency(emulator, scale);
  const row = (
    measure: string,
    pick: (c: StrategyCost) => OperationCost,
    field: 'calls' | 'bytes',
    target?: { text: string; max: number },
    note?: string,
  ): StrategyRow => ({
    measure,
    target: target?.text,
    note,
    cells: Object.fromEntries(
      STRATEGIES.map((s) => {
        const cost = pick(costs[s]!);
        const value =
          field === 'calls'
            ? `${round(cost.calls)} (${cost.breakdown})`
            : `${Math.round(cost.bytes).toLocaleString('en-US')} B`;
        return [s, { value, ...(target && s === 'leases' ? { met: cost[field] <= target.max } : {}) }];
      }),
    ),
  });
  const leases = costs.leases!;
  return {
    section: 'Cost per operation',
    method:
      `${scale.costOperations} operations of each kind per strategy, limit ${LIMIT}, accounts filled to the limit; calls from the emulator's counters, bytes on the wire ` +
      "(both directions, gRPC over HTTP/2 without TLS) from a relay every client connects through. A heartbeat counts the device's publish, the delivery to the subscriber and the " +
      "subscriber's cache calls (the periodic expiry sweep is left out: it costs two calls per shard per sweep, whatever the traffic). An admission is the engine's admission without the token " +
      '(tokens are measured under Token vending). The interval dictionaries count the previous complete interval, which is still empty right after the admissions ' +
      '(their lag), so their check usually finds no session to describe.',
    systemRows: [deployment.row, ...admission],
    strategyRows: [
      row(
        'Calls per entitlement check',
        (c) => c.check,
        'calls',
        { text: 'leases: 1', max: 1 },
        leases.check.calls > 1
          ? `The count itself is one GetBatch of the lease slots (next row); the check also returns each session's details (records and heartbeat deadlines), which costs ${round(leases.check.calls - leases.countOnly.calls)} more calls.`
          : undefined,
      ),
      row('Calls per entitlement count (count only)', (c) => c.countOnly, 'calls', { text: 'leases: 1', max: 1 }),
      row('Bytes per entitlement check', (c) => c.check, 'bytes'),
      row('Calls per heartbeat', (c) => c.heartbeat, 'calls'),
      row('Bytes per heartbeat', (c) => c.heartbeat, 'bytes'),
      row('Calls per admission', (c) => c.admission, 'calls'),
      row('Bytes per admission', (c) => c.admission, 'bytes'),
    ],
    figures: {
      billedOperationsPerHeartbeat: deployment.billedPerHeartbeat,
      leaseCallsPerHeartbeat: leases.heartbeat.calls,
      leaseBytesPerHeartbeat: leases.heartbeat.bytes,
      leaseCallsPerCheck: leases.check.calls,
      leaseBytesPerCheck: leases.check.bytes,
      leaseCallsPerAdmission: leases.admission.calls,
      leaseBytesPerAdmission: leases.admission.bytes,
    },
    elapsedMs: Date.now() - started,
  };
}

async function costOf(
  emulator: Emulator,
  proxy: ByteCountingProxy,
  strategy: StrategyName,
  operations: number,
): Promise<StrategyCost> {
  // Long leases: cost does not depend on time, and nothing may expire between the phases.
  const bench = startBenchEngine(emulator, strategy, {
    MOMENTO_LOCAL_ENDPOINT: proxy.address,
    DEFAULT_LIMIT: String(LIMIT),
    HEARTBEAT_INTERVAL_SECONDS: '20',
    LEASE_SECONDS: '60',
  });
  const fleet = new DeviceFleet(bench.config, bench.ports.tokens!, proxy.address);
  // No periodic sweep: it would add calls that belong to time, not to heartbeats.
  const subscriber = await startInProcessSubscriber(bench, 3_600_000);
  try {
    const accounts = accountIds(`cost-${strategy}-${randomUUID().slice(0, 8)}`, Math.ceil(operations / LIMIT));
    const requests = accounts
      .flatMap((accountId) => Array.from({ length: LIMIT }, (_, i) => ({ accountId, deviceId: `d${i}` })))
      .slice(0, operations);
    const devices: FleetDevice[] = [];
    const admission = await measure(emulator, proxy, requests.length, async () => {
      for (const request of requests) {
        const outcome = await bench.engine.admit(request);
        if (outcome.kind !== 'admitted')
          throw new Error(`cost: admission of ${request.deviceId} in ${request.accountId} was ${outcome.kind}`);
        devices.push({
          accountId: request.accountId,
          deviceId: request.deviceId,
          sessionId: outcome.session.sessionId,
        });
      }
    });

    // Warm up: every account's publisher (its token) exists and every session record is memoised,
    // as in a subscriber that has been running for a while.
    const sendAll = async () => {
      const before = processedMessages(subscriber);
      for (const device of devices) {
        if (!(await fleet.heartbeat(device))) throw new Error('cost: heartbeat publish refused');
      }
      if (!(await waitFor(() => processedMessages(subscriber) >= before + devices.length, 30_000)))
        throw new Error('cost: the subscriber did not process every heartbeat');
      // The batched deadline index writes of these heartbeats belong to them.
      await bench.engine.flushDeadlineIndex?.();
    };
    await sendAll();
    const heartbeat = await measure(emulator, proxy, devices.length, sendAll);

    const countOnlyStrategy = createCountingStrategy(strategy, bench.ports.cache, {
      leaseSeconds: bench.config.leaseSeconds,
      cappedListSize: CAPPED_LIST_SIZE,
      intervalMs: INTERVAL_MS,
    });
    const checks = Array.from({ length: operations }, (_, i) => accounts[i % accounts.length]!);
    const check = await measure(emulator, proxy, checks.length, async () => {
      for (const accountId of checks) await bench.engine.listSessions(accountId);
    });
    const countOnly = await measure(emulator, proxy, checks.length, async () => {
      for (const accountId of checks) await countOnlyStrategy.active(resolveScope('account', accountId), LIMIT);
    });
    return { admission, heartbeat, check, countOnly };
  } finally {
    fleet.close();
    await subscriber.stop();
    bench.close();
  }
}

async function measure(
  emulator: Emulator,
  proxy: ByteCountingProxy,
  operations: number,
  work: () => Promise<void>,
): Promise<OperationCost> {
  const before: EmulatorStats = emulator.stats();
  proxy.reset();
  await work();
  const calls = callsBetween(before, emulator.stats());
  const bytes = proxy.counts();
  return {
    calls: totalCalls(calls) / operations,
    bytes: (bytes.toServer + bytes.toClient) / operations,
    breakdown: describeCallsPer(calls, operations),
  };
}
