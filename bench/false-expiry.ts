import { randomUUID } from 'node:crypto';
import type { Emulator } from '../local/emulator';
import {
  accountIds,
  HEARTBEAT_SECONDS as BENCH_HEARTBEAT_SECONDS,
  INTERVAL_MS,
  startBenchEngine,
} from './bench-engine';
import type { BenchScale } from './bench-scale';
import { forEachStrategy } from './strategy-runs';
import { STRATEGIES, type MeasurementResult, type StrategyName } from './bench-results';
import { DeviceFleet, type HeartbeatingDevice } from './device-fleet';
import { runWithConcurrency } from './run-with-concurrency';
import { startSubscriberProcess, type SubscriberChildStats } from './subscriber-process';
import { sleep } from './wait-for';

/**
 * Heartbeat interval and lease of this measurement. At the other measurements' 1 s / 3 s, 1,000
 * devices make 1,000 heartbeats/s, four emulator calls each, beyond what the emulator's process
 * serves on this machine (see Emulator ceiling): the figure would be the emulator's. 5 s / 15 s
 * keeps the same ratio at 200 heartbeats/s.
 */
const HEARTBEAT_SECONDS = 5;
const LEASE_SECONDS = 15;
/** The interval dictionaries' interval, scaled like the heartbeat. */
const INTERVAL = (INTERVAL_MS / BENCH_HEARTBEAT_SECONDS) * HEARTBEAT_SECONDS;

interface FalseExpiry {
  /** Devices that kept heartbeating yet lost their session (told expired, or not counted at the end). */
  readonly lost: number;
  readonly devices: number;
  /** Of those, not counted by the entitlement check at the end. */
  readonly uncounted: number;
  readonly heartbeats: number;
  readonly child: SubscriberChildStats;
  /** Whether the end check could see every device (the interval dictionaries need two intervals). */
  readonly countChecked: boolean;
}

/**
 * False expiry under load: devices spread over accounts heartbeat for a sustained period through
 * the real subscriber (its own process, as on Fargate); a false expiry is a device that kept
 * heartbeating yet lost its session: the subscriber reported it expired, or the entitlement
 * check at the end does not count it.
 */
export async function measureFalseExpiry(emulator: Emulator, scale: BenchScale): Promise<MeasurementResult> {
  const started = Date.now();
  const results = await forEachStrategy(scale, (strategy) => falseExpiryOf(emulator, strategy, scale));
  const leases = results.leases!;
  const rate = scale.falseExpiryDevices / HEARTBEAT_SECONDS;
  return {
    section: 'False expiry',
    method:
      `${scale.falseExpiryDevices.toLocaleString('en-US')} devices over ${scale.falseExpiryAccounts} accounts (limit ${limitOf(scale)}) heartbeat every ${HEARTBEAT_SECONDS} s ` +
      `(${rate.toLocaleString('en-US')} heartbeats/s, lease ${LEASE_SECONDS} s) for ${scale.falseExpirySeconds} s (interval dictionaries: ${periodSeconds(scale, 'interval-dictionary')} s) through the real subscriber in its own process; ` +
      "a false expiry is a device that kept heartbeating yet was reported expired by the subscriber or is missing from its account's entitlement check at the end. " +
      `At 1 s heartbeats (1,000/s, four emulator calls each) the emulator's process saturates on this machine and the subscriber sheds, so this measurement keeps the 1:3 ratio at ${HEARTBEAT_SECONDS} s / ${LEASE_SECONDS} s (interval dictionaries: ${INTERVAL / 1000} s).`,
    strategyRows: [
      {
        measure: 'Heartbeating devices that lost their slot',
        target: 'leases: 0',
        note:
          leases.lost > 0
            ? `Subscriber during the run: ${leases.child.shed} heartbeats shed, ${leases.child.failed} failed, ${leases.child.leaseLost} lease-lost; CPU ${leases.child.cpuSeconds.toFixed(1)} s.`
            : undefined,
        cells: Object.fromEntries(
          STRATEGIES.map((s) => {
            const r = results[s]!;
            const value = `${r.lost}/${r.devices}${r.countChecked ? '' : ' (end count not checked: run shorter than two intervals)'}`;
            return [s, { value, ...(s === 'leases' ? { met: r.lost === 0 } : {}) }];
          }),
        ),
      },
      {
        measure: 'Heartbeats processed by the subscriber',
        cells: Object.fromEntries(
          STRATEGIES.map((s) => [
            s,
            {
              value: `${results[s]!.child.processed.toLocaleString('en-US')} of ${results[s]!.heartbeats.toLocaleString('en-US')} sent`,
            },
          ]),
        ),
      },
    ],
    figures: { leaseFalseExpiries: leases.lost },
    elapsedMs: Date.now() - started,
  };
}

/**
 * How long the devices heartbeat. The full run gives the interval dictionaries two complete
 * intervals, so the end check can see every device in the previous one.
 */
function periodSeconds(scale: BenchScale, strategy: StrategyName): number {
  return scale.name === 'full' && strategy === 'interval-dictionary'
    ? Math.max(scale.falseExpirySeconds, (2 * INTERVAL) / 1000 + 1)
    : scale.falseExpirySeconds;
}

function limitOf(scale: BenchScale): number {
  return Math.ceil(scale.falseExpiryDevices / scale.falseExpiryAccounts);
}

async function falseExpiryOf(emulator: Emulator, strategy: StrategyName, scale: BenchScale): Promise<FalseExpiry> {
  const limit = limitOf(scale);
  const bench = startBenchEngine(
    emulator,
    strategy,
    {
      DEFAULT_LIMIT: String(limit),
      HEARTBEAT_INTERVAL_SECONDS: String(HEARTBEAT_SECONDS),
      LEASE_SECONDS: String(LEASE_SECONDS),
    },
    INTERVAL,
  );
  const fleet = new DeviceFleet(bench.config, bench.ports.tokens!, emulator.address);
  const child = await startSubscriberProcess('engine', bench.env);
  const devices: HeartbeatingDevice[] = [];
  try {
    const accounts = accountIds(`fx-${strategy}-${randomUUID().slice(0, 8)}`, scale.falseExpiryAccounts);
    const requests = Array.from({ length: scale.falseExpiryDevices }, (_, i) => ({
      accountId: accounts[i % accounts.length]!,
      deviceId: `d${Math.floor(i / accounts.length)}`,
    }));
    await runWithConcurrency(requests.length, 16, async (i) => {
      const request = requests[i]!;
      const outcome = await bench.engine.admit(request);
      if (outcome.kind !== 'admitted')
        throw new Error(`false expiry: ${request.deviceId} of ${request.accountId} was ${outcome.kind}`);
      devices.push(fleet.startHeartbeating({ ...request, sessionId: outcome.session.sessionId }));
    });
    await sleep(periodSeconds(scale, strategy) * 1000);
    const countChecked =
      strategy !== 'interval-dictionary' || periodSeconds(scale, strategy) * 1000 >= 2 * INTERVAL + 1000;
    // The end check runs while the devices still heartbeat.
    const uncountedSessions = new Set<string>();
    if (countChecked) {
      await runWithConcurrency(accounts.length, 8, async (i) => {
        const view = await bench.engine.listSessions(accounts[i]!);
        const listed = new Set(view.sessions.map((s) => s.deviceId));
        for (const device of devices)
          if (device.device.accountId === accounts[i] && !listed.has(device.device.deviceId))
            uncountedSessions.add(device.device.sessionId);
      });
    }
    fleet.close();
    const stats = await child.stats();
    const lost = new Set([...stats.expiredSessions, ...uncountedSessions]);
    return {
      lost: devices.filter((d) => lost.has(d.device.sessionId)).length,
      devices: devices.length,
      uncounted: uncountedSessions.size,
      heartbeats: devices.reduce((sum, d) => sum + d.heartbeats, 0),
      child: stats,
      countChecked,
    };
  } finally {
    fleet.close();
    await child.stop();
    bench.close();
  }
}
