import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// Packs the library as npm would publish it, installs the tarball into a fresh project, and
// synthesizes a stack there with plain Node.js: no ts-node, no esbuild, no Docker, no access to
// the repository's sources. This is what a platform team's `cdk synth` does after `npm install`.

// Packing, installing and synthesizing take tens of seconds on a busy machine.
jest.setTimeout(180_000);

const repo = path.resolve(__dirname, '..', '..');
const versionOf = (name: string): string =>
  (JSON.parse(fs.readFileSync(path.join(repo, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

function run(command: string, args: string[], cwd: string, timeout = 120_000): string {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', timeout, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    // The tail of the output says why (a compiler error, a nag finding, an install failure).
    throw new Error(`${command} ${args.join(' ')} failed: ${`${e.stdout ?? ''}\n${e.stderr ?? ''}`.slice(-3000)}`);
  }
}

const CONSUMER_APP = `
const { App, Stack, Validations } = require('aws-cdk-lib');
const iam = require('aws-cdk-lib/aws-iam');
const { AwsSolutionsChecks } = require('cdk-nag');
const { ConcurrencyTracker, TrackerAuthorization, AtLimitBehavior } = require('cdk-concurrency-tracker');

const app = new App({ outdir: process.argv[2] });
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
const stack = new Stack(app, 'ConsumerStack');
const tracker = new ConcurrencyTracker(stack, 'Tracker', {
  atLimit: AtLimitBehavior.EVICT_OLDEST,
  monitoring: {},
});
new ConcurrencyTracker(stack, 'PlayerTracker', {
  authorization: TrackerAuthorization.jwt({ issuer: 'https://login.example.com/', audience: ['player'], accountClaim: 'sub' }),
  cacheName: 'players',
  metricsNamespace: 'PlayerTracker',
});
tracker.grantInvoke(new iam.Role(stack, 'Backend', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }));
app.synth();
`;

// Type-checked against the published declarations only.
const CONSUMER_TS = `
import { App, Duration, Stack } from 'aws-cdk-lib';
import { ConcurrencyTracker, ConcurrencyTrackerProps, FailureMode, TrackerAuthorization } from 'cdk-concurrency-tracker';

const props: ConcurrencyTrackerProps = {
  heartbeatInterval: Duration.seconds(5),
  failureMode: FailureMode.CLOSED,
  authorization: TrackerAuthorization.iam(),
};
const tracker = new ConcurrencyTracker(new Stack(new App(), 'S'), 'T', props);
const url: string = tracker.apiUrl;
const metricName: string = tracker.metricAdmissionsDenied().metricName;
export { url, metricName };
`;

describe('consumer: the packed library in a fresh project', () => {
  let work: string;
  let project: string;
  let packedFiles: string[];

  beforeAll(() => {
    if (!fs.existsSync(path.join(repo, 'dist', 'index.js')) || !fs.existsSync(path.join(repo, 'assets', 'token-vending', 'index.js'))) {
      run('npm', ['run', 'build'], repo, 300_000);
    }
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'tracker-consumer-'));
    const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], repo)) as Array<{
      filename: string;
      files: Array<{ path: string }>;
    }>;
    packedFiles = packed[0].files.map((f) => f.path);
    const tarball = path.join(work, packed[0].filename);

    project = path.join(work, 'project');
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
    run(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        '--no-package-lock',
        tarball,
        `aws-cdk-lib@${versionOf('aws-cdk-lib')}`,
        `constructs@${versionOf('constructs')}`,
      ],
      project,
      150_000,
    );
    fs.writeFileSync(path.join(project, 'app.js'), CONSUMER_APP);
    fs.writeFileSync(path.join(project, 'consumer.ts'), CONSUMER_TS);
    // The same consumer with a type error: the check below must catch it.
    fs.writeFileSync(path.join(project, 'consumer-bad.ts'), CONSUMER_TS.replace('Duration.seconds(5)', '5'));
    for (const [file, entry] of [['tsconfig.json', 'consumer.ts'], ['tsconfig.bad.json', 'consumer-bad.ts']]) {
      fs.writeFileSync(
        path.join(project, file),
        JSON.stringify({
          compilerOptions: { strict: true, noEmit: true, skipLibCheck: true, target: 'ES2022', module: 'commonjs', types: [] },
          files: [entry],
        }),
      );
    }
  }, 300_000);

  afterAll(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  test('the tarball holds the compiled construct and the prebuilt bundles, not the sources', () => {
    for (const file of [
      'dist/index.js',
      'dist/index.d.ts',
      'dist/concurrency-tracker.js',
      'assets/token-vending/index.js',
      'assets/entitlement/index.js',
      'assets/heartbeat-subscriber/index.js',
      'assets/heartbeat-subscriber/Dockerfile',
      'assets/jwt-authorizer/index.js',
      'package.json',
    ]) {
      expect(packedFiles).toContain(file);
    }
    expect(packedFiles.filter((f) => /^(lib|lambda|test|bin|local|client)\//.test(f))).toEqual([]);
    expect(packedFiles.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
  });

  test('installs with its peer dependencies and no build tools', () => {
    const installed = fs.readdirSync(path.join(project, 'node_modules'));
    expect(installed).toEqual(expect.arrayContaining(['cdk-concurrency-tracker', 'aws-cdk-lib', 'constructs', 'cdk-nag']));
    expect(installed).not.toContain('esbuild');
    expect(installed).not.toContain('typescript');
  });

  test('synthesizes a stack with plain node, with cdk-nag AwsSolutions passing', () => {
    const outdir = path.join(project, 'cdk.out');
    run('node', ['app.js', outdir], project);
    const template = JSON.parse(fs.readFileSync(path.join(outdir, 'ConsumerStack.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    const resources = Object.values(template.Resources);
    const count = (type: string) => resources.filter((r) => r.Type === type).length;
    expect(count('AWS::ApiGateway::RestApi')).toBe(2);
    expect(count('AWS::ECS::Service')).toBe(2);
    expect(count('AWS::SecretsManager::Secret')).toBe(4);
    expect(count('AWS::CloudWatch::Dashboard')).toBe(1);
    const runtimes = resources
      .filter((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Runtime !== undefined)
      .map((r) => r.Properties.Runtime);
    expect(runtimes.length).toBeGreaterThanOrEqual(5);
    expect(new Set(runtimes.filter((r) => r !== 'nodejs22.x'))).toEqual(new Set());
    // The bundles and the image context travel from the installed package into the assembly.
    const assetDirs = fs.readdirSync(outdir).filter((f) => f.startsWith('asset.'));
    expect(assetDirs.some((d) => fs.existsSync(path.join(outdir, d, 'Dockerfile')))).toBe(true);
    expect(assetDirs.filter((d) => fs.existsSync(path.join(outdir, d, 'index.js'))).length).toBeGreaterThanOrEqual(4);
  });

  test('type-checks a TypeScript consumer against the published declarations', () => {
    const tsc = path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
    expect(() => run('node', [tsc, '-p', 'tsconfig.json'], project)).not.toThrow();
    expect(() => run('node', [tsc, '-p', 'tsconfig.bad.json'], project)).toThrow(/heartbeatInterval|Duration/);
  });
});
