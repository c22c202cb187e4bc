import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../../local/emulator';
import { getHealth } from '../lambda/heartbeat-subscriber/support/subscriber-health';
import { waitFor } from './support/tracker-harness';

/** The subscriber's process entry, run as its container runs it (TypeScript via ts-node here). */
describe('the heartbeat subscriber process', () => {
  let emulator: Emulator;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, caches: ['tracker'], heartbeatIntervalMs: 200 });
  });
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await emulator.stop();
  });

  it('serves /health once subscribed and drains and exits 0 on SIGTERM', async () => {
    const logs: Record<string, unknown>[] = [];
    child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', join(__dirname, '../../lambda/heartbeat-subscriber/index.ts')],
      {
        env: {
          ...process.env,
          CACHE_NAME: 'tracker',
          MOMENTO_LOCAL_ENDPOINT: emulator.address,
          HEALTH_PORT: '0',
          HEARTBEAT_INTERVAL_SECONDS: '1',
          LEASE_SECONDS: '3',
          POWERTOOLS_SERVICE_NAME: 'heartbeat-subscriber',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        try {
          logs.push(JSON.parse(line));
        } catch {
          // not a structured line
        }
      }
    });
    const started = await waitFor(
      () => logs.find((l) => l.message === 'heartbeat subscriber started'),
      20_000,
      'the process to start',
    );
    expect(started).toMatchObject({ level: 'INFO', service: 'heartbeat-subscriber', shards: [0] });
    const port = started.healthPort as number;
    await waitFor(async () => (await getHealth(port)).status === 200, 15_000, 'the health endpoint to say ok');

    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(logs.map((l) => l.message)).toEqual(
      expect.arrayContaining(['stopping heartbeat subscriber', 'heartbeat subscriber stopped']),
    );
    // No key material in any line.
    expect(JSON.stringify(logs)).not.toMatch(/eyJ|api_key|authToken/);
  });
});
