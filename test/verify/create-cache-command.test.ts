import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../../local/emulator';

// `cdk-concurrency-tracker-verify create-cache` as it ships (the bundle built into a temporary
// folder), run as a separate process against the emulator's control service with its api keys.
jest.setTimeout(120_000);

const ROOT = join(__dirname, '..', '..');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

describe('cdk-concurrency-tracker-verify create-cache', () => {
  let buildDir: string;
  let cli: string;
  let emulator: Emulator;

  const createCache = (args: readonly string[], env: NodeJS.ProcessEnv): Promise<Run> =>
    new Promise((resolve) => {
      execFile(
        process.execPath,
        [cli, 'create-cache', ...args],
        { env: { PATH: process.env.PATH, HOME: buildDir, ...env }, timeout: 60_000 },
        (error, stdout, stderr) =>
          resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr }),
      );
    });
  const local = (): string[] => ['--local-endpoint', emulator.address];

  beforeAll(async () => {
    buildDir = mkdtempSync(join(tmpdir(), 'create-cache-cli-'));
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-verify.mjs'), join(buildDir, 'verify')], {
      cwd: ROOT,
      stdio: 'pipe',
    });
    cli = join(buildDir, 'verify', 'cli.js');
    emulator = await startEmulator();
  });

  afterAll(async () => {
    await emulator?.stop();
    if (buildDir) rmSync(buildDir, { recursive: true, force: true });
  });

  it('creates the cache with a super-user key, then says it already exists; both exit 0', async () => {
    const env = { MOMENTO_API_KEY: emulator.createApiKey() };
    expect(emulator.store.hasCache('tracker')).toBe(false);
    const first = await createCache(['--cache', 'tracker', ...local()], env);
    expect(first).toEqual({ code: 0, stdout: 'create-cache: created cache "tracker"\n', stderr: '' });
    expect(emulator.store.hasCache('tracker')).toBe(true);

    const second = await createCache(['--cache', 'tracker', ...local()], env);
    expect(second).toEqual({
      code: 0,
      stdout: 'create-cache: cache "tracker" already exists; nothing changed\n',
      stderr: '',
    });
  });

  it('reports a key without super-user rights as refused, exit 1, and creates nothing', async () => {
    const dataKey = emulator.createApiKey({
      scope: { superUser: false, permissions: [{ type: 'cache', role: 'read-write', cache: 'refused' }] },
    });
    const run = await createCache(['--cache', 'refused', ...local()], { MOMENTO_API_KEY: dataKey });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('cache "refused" not created: refused: this key cannot create caches');
    expect(run.stderr).toContain('use a super-user key or create the cache in the Momento console');
    expect(run.stderr).not.toContain(dataKey);
    expect(emulator.store.hasCache('refused')).toBe(false);
  });

  it('reports a control endpoint that does not answer as unreachable, exit 3', async () => {
    // A port that accepts connections and never speaks gRPC: the command gives up at --timeout.
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as AddressInfo).port;
      const run = await createCache(['--cache', 'tracker', '--local-endpoint', `127.0.0.1:${port}`, '--timeout', '2'], {
        MOMENTO_API_KEY: emulator.createApiKey(),
      });
      expect(run.code).toBe(3);
      expect(run.stderr).toContain('cache "tracker" not created: unreachable:');
    } finally {
      silent.close();
    }
  });

  it('takes the key from MOMENTO_API_KEY only, never from the command line (exit 2)', async () => {
    const key = emulator.createApiKey();
    const inArgv = await createCache(['--cache', 'argv', '--api-key', key, ...local()], {});
    expect(inArgv.code).toBe(2);
    expect(inArgv.stderr).toContain('the key is read from MOMENTO_API_KEY only, never from the command line');
    const missing = await createCache(['--cache', 'argv', ...local()], {});
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('MOMENTO_API_KEY is not set');
    expect(emulator.store.hasCache('argv')).toBe(false);
  });

  it('asks for --endpoint with a v2 key and rejects an endpoint that is not a host name (exit 2)', async () => {
    const claims = Buffer.from(JSON.stringify({ t: 'g', id: 'x' })).toString('base64url');
    const v2Key = `eyJhbGciOiJIUzI1NiJ9.${claims}.c2lnbmF0dXJl`;
    const noEndpoint = await createCache(['--cache', 'tracker'], { MOMENTO_API_KEY: v2Key });
    expect(noEndpoint.code).toBe(2);
    expect(noEndpoint.stderr).toContain('MOMENTO_API_KEY is a v2 API key, which does not carry its endpoint');
    const url = await createCache(['--cache', 'tracker', '--endpoint', 'https://cell-1.example.com/'], {
      MOMENTO_API_KEY: v2Key,
    });
    expect(url.code).toBe(2);
    expect(url.stderr).toContain('--endpoint must be a host name');
  });
});
