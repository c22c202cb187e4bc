import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPlaygroundProcess, type PlaygroundProcess } from '../local/playground/support/playground-process';

// `cdk-concurrency-tracker-verify` as it ships: the bundle `npm run build` puts in dist/verify/,
// built here into a temporary folder and run as a separate process against the local playground
// (the construct's routes, the real handlers, subscriber and emulator).
jest.setTimeout(180_000);

const ROOT = join(__dirname, '..', '..');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

describe('cdk-concurrency-tracker-verify', () => {
  let buildDir: string;
  let playground: PlaygroundProcess;
  let cli: string;

  const verify = (args: readonly string[], env: NodeJS.ProcessEnv): Promise<Run> =>
    new Promise((resolve) => {
      // A clean environment: no credentials of the machine running the test leak in.
      const base = {
        PATH: process.env.PATH,
        HOME: buildDir,
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_CONFIG_FILE: join(buildDir, 'none'),
        AWS_SHARED_CREDENTIALS_FILE: join(buildDir, 'none'),
      };
      execFile(
        process.execPath,
        [cli, ...args],
        { env: { ...base, ...env }, timeout: 120_000 },
        (error, stdout, stderr) => {
          resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr });
        },
      );
    });
  const fakeKeys = { AWS_ACCESS_KEY_ID: 'AKIDVERIFYTEST', AWS_SECRET_ACCESS_KEY: 'verify-test-secret' };

  beforeAll(async () => {
    buildDir = mkdtempSync(join(tmpdir(), 'verify-cli-'));
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-verify.mjs'), join(buildDir, 'verify')], {
      cwd: ROOT,
      stdio: 'pipe',
    });
    cli = join(buildDir, 'verify', 'cli.js');
    playground = await startPlaygroundProcess(
      ['--port', '0', '--devices', '0', '--heartbeat-interval', '1', '--lease', '3'],
      'node',
    );
  });

  afterAll(async () => {
    await playground?.stop();
    if (buildDir) rmSync(buildDir, { recursive: true, force: true });
  });

  it('passes every step against the playground with SigV4-signed requests, printing each with its latency', async () => {
    const run = await verify(
      ['--url', playground.apiUrl, '--region', 'us-east-1', '--topics-url', playground.apiUrl],
      fakeKeys,
    );
    expect(run).toEqual(expect.objectContaining({ code: 0, stderr: '' }));
    const steps = run.stdout.split('\n').filter((line) => /^(ok|FAIL)\s/.test(line));
    expect(steps.map((line) => line.split(/\s+/).slice(0, 3))).toEqual([
      ['ok', '1', 'admit'],
      ['ok', '2', 'list'],
      ['ok', '3', 'check'],
      ['ok', '4', 'heartbeat'],
      ['ok', '5', 'evict'],
      ['ok', '6', 'confirm'],
    ]);
    for (const line of steps) expect(line).toMatch(/ \d+ ms {2}/);
    expect(run.stdout).toContain('recorded by the subscriber');
    expect(run.stdout).toContain('told "evicted" on its control topic');
    expect(run.stdout).toMatch(/all 6 steps passed/);
    // The test account's session is gone: the check left nothing counted.
    const account = /account (verify-[0-9a-f]+)/.exec(run.stdout)![1];
    const listed = (await (await fetch(new URL(`/accounts/${account}/sessions`, playground.apiUrl))).json()) as {
      active: number;
    };
    expect(listed.active).toBe(0);
  });

  it('passes with a JWT for a named account', async () => {
    const run = await verify(
      [
        '--url',
        playground.apiUrl,
        '--jwt',
        'header.payload.signature',
        '--account',
        'verify-jwt-acct',
        '--topics-url',
        playground.apiUrl,
      ],
      {},
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('with a JWT, account verify-jwt-acct');
  });

  it('names the failed step when the URL is wrong: nothing listening, or no such route', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const unreachable = await verify(['--url', `http://127.0.0.1:${port}/v1/`, '--region', 'us-east-1'], fakeKeys);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(
      /^step 1 \(admit\) failed: POST \/tokens could not be sent: .*ECONNREFUSED.*is the API URL right/m,
    );
    expect(unreachable.stderr).toContain('not run: list, check, heartbeat, evict, confirm');

    const noRoute = await verify(['--url', new URL('/v1/', playground.apiUrl).href, '--region', 'us-east-1'], fakeKeys);
    expect(noRoute.code).toBe(1);
    expect(noRoute.stderr).toMatch(
      /^step 1 \(admit\) failed: POST \/tokens answered 404 .*check the URL ends with the API stage/m,
    );
  });

  it('names the failed step when the caller has no AWS credentials, and sends nothing unsigned', async () => {
    let requests = 0;
    const gateway: Server = createServer((_req, res) => {
      requests += 1;
      res.writeHead(500).end();
    });
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/v1/`;
      const run = await verify(['--url', url, '--region', 'us-east-1'], {});
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^step 1 \(admit\) failed: no AWS credentials to sign the request with .*pass --jwt/m);
      expect(requests).toBe(0);
    } finally {
      await new Promise<void>((resolve) => gateway.close(() => resolve()));
    }
  });

  it('names the failed step when API Gateway refuses the signature, having sent a SigV4 Authorization for execute-api', async () => {
    // Stands in for API Gateway refusing the credentials: records what arrived, answers its 403.
    const seen: IncomingHttpHeaders[] = [];
    const gateway: Server = createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'The security token included in the request is invalid.' }));
    });
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/v1/`;
      const run = await verify(['--url', url, '--region', 'eu-west-1'], fakeKeys);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(
        /^step 1 \(admit\) failed: POST \/tokens answered 403: The security token included in the request is invalid\..*refused the AWS credentials/m,
      );
      expect(seen).toHaveLength(1);
      expect(seen[0]!.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDVERIFYTEST\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$/,
      );
      expect(seen[0]!['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
    } finally {
      await new Promise<void>((resolve) => gateway.close(() => resolve()));
    }
  });

  it('names the failed step when the authoriser refuses the JWT, having sent it as a bearer token', async () => {
    // Stands in for API Gateway's JWT authoriser refusing the token (its answer is 401 Unauthorized).
    const seen: IncomingHttpHeaders[] = [];
    const gateway: Server = createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'Unauthorized' }));
    });
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/v1/`;
      const run = await verify(['--url', url, '--jwt', 'expired.jwt.token', '--account', 'user-1'], {});
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(
        /^step 1 \(admit\) failed: POST \/tokens answered 401: Unauthorized, expected 201 \(the authoriser refused the JWT/m,
      );
      expect(seen.map((headers) => headers.authorization)).toEqual(['Bearer expired.jwt.token']);
    } finally {
      await new Promise<void>((resolve) => gateway.close(() => resolve()));
    }
  });

  it('names the heartbeat step when heartbeats cannot be published, and ends the test session it admitted', async () => {
    const run = await verify(
      [
        '--url',
        playground.apiUrl,
        '--region',
        'us-east-1',
        '--topics-url',
        new URL('/elsewhere/', playground.apiUrl).href,
      ],
      fakeKeys,
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^ok {4}3 check/m);
    expect(run.stderr).toMatch(/^step 4 \(heartbeat\) failed: publishing to topic \S+ with the device token failed/m);
    expect(run.stderr).toContain('not run: evict, confirm');
    expect(run.stderr).toMatch(/the test session \S+ was ended/);
    const account = /account (verify-[0-9a-f]+)/.exec(run.stdout)![1];
    const listed = (await (await fetch(new URL(`/accounts/${account}/sessions`, playground.apiUrl))).json()) as {
      active: number;
    };
    expect(listed.active).toBe(0);
  });

  it('refuses bad usage with exit code 2 and the usage text', async () => {
    const run = await verify(['--jwt', 'x'], {});
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--url is required');
    expect(run.stderr).toContain('usage: cdk-concurrency-tracker-verify');
    const jwtWithoutAccount = await verify(['--url', playground.apiUrl, '--jwt', 'x'], {});
    expect(jwtWithoutAccount.code).toBe(2);
    expect(jwtWithoutAccount.stderr).toContain('--account is required with --jwt');
  });
});
