import { BENCH_CACHE } from '../../bench/bench-engine';
import { QUICK_SCALE } from '../../bench/bench-scale';
import { measureDefaultDeploymentCost } from '../../bench/default-deployment-cost';
import { startEmulator, type Emulator } from '../../local/emulator';

// The cost row of the default deployment: the construct's two subscriber processes per shard, as
// the container starts them. The standby receives nothing, so a heartbeat costs one publish and
// one delivery plus cache calls, never a second delivery.
let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ port: 0, caches: [BENCH_CACHE], heartbeatIntervalMs: 1000 });
});
afterAll(() => emulator?.stop());

it('reports billed operations per heartbeat under its row name, with one delivery per heartbeat', async () => {
  const { row, billedPerHeartbeat } = await measureDefaultDeploymentCost(emulator, QUICK_SCALE);
  expect(row.measure).toBe('Billed operations per heartbeat (default deployment)');
  expect(row.target).toBe('≤ 2.2');
  expect(row.value).toBe(billedPerHeartbeat.toFixed(2));
  expect(row.note).toMatch(
    /^2 subscriber processes \(the construct's default per shard; roles (active \+ standby|standby \+ active)\)/,
  );
  // Publishes may include control messages (a session this run's machine starved past its lease); deliveries are the heartbeats' only.
  expect(row.note).toMatch(/, deliveries 1(\.0\d)?, /);
  // The physical floor is a publish and a delivery.
  expect(billedPerHeartbeat).toBeGreaterThanOrEqual(2);
});
