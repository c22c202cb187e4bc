import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';
import { installProject, readJson, run, writeStrictTsconfig } from './support/fresh-project';

// Packs the library as npm would publish it, installs the tarball into fresh projects, and
// synthesizes stacks there with plain Node.js: no ts-node, no esbuild, no Docker, no access to
// the repository's sources. This is what a platform team's `cdk synth` does after `npm install`.
// Two projects: one at the development versions of aws-cdk-lib and constructs (with cdk-nag), one
// at the lowest versions package.json's peerDependencies allow (the README's example).

// Packing, installing and synthesizing take tens of seconds on a busy machine.
jest.setTimeout(180_000);

const repo = path.resolve(__dirname, '..', '..');
const versionOf = (name: string): string =>
  readJson<{ version: string }>(path.join(repo, 'node_modules', name, 'package.json')).version;
const manifest = readJson<{ peerDependencies: Record<string, string>; dependencies?: Record<string, string> }>(
  path.join(repo, 'package.json'),
);

/** The lowest version a caret peer range allows (`^2.269.0` is 2.269.0). */
function peerMinimum(name: string): string {
  const range = manifest.peerDependencies[name];
  const match = /^\^(\d+\.\d+\.\d+)$/.exec(range ?? '');
  if (!match)
    throw new Error(`peerDependencies.${name} is '${range}'; this test reads its minimum from a ^x.y.z range`);
  return match[1]!;
}

let work: string;
let tarball: string;
let packedFiles: string[];

beforeAll(() => {
  const built = ['dist/lib/index.js', '.jsii', 'dist/verify/cli.js', 'assets/token-vending/index.js'].every((file) =>
    fs.existsSync(path.join(repo, file)),
  );
  if (!built) {
    run('npm', ['run', 'build'], repo, 300_000);
  }
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'tracker-consumer-'));
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], repo)) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  packedFiles = packed[0].files.map((f) => f.path);
  tarball = path.join(work, packed[0].filename);
}, 300_000);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

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

/** The README's "Use it in your stack" example: its first TypeScript block, as written. */
function readmeExample(): string {
  const readme = fs.readFileSync(path.join(repo, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Use it in your stack'));
  const block = /```ts\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error("README.md has no ```ts block under '## Use it in your stack'");
  return block[1]!;
}

/**
 * Transpiles the README's example and runs it in `project` with plain node; its template. The
 * example has no app.synth(): as under the CDK CLI, CDK_OUTDIR makes the App synthesize on exit.
 */
function synthesizeReadmeExample(project: string): {
  Resources: Record<string, { Type: string }>;
  Outputs: Record<string, unknown>;
} {
  const js = ts.transpileModule(readmeExample(), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  fs.writeFileSync(path.join(project, 'readme-app.js'), js);
  const outdir = path.join(project, 'cdk.out.readme');
  run('node', ['readme-app.js'], project, 120_000, { ...process.env, CDK_OUTDIR: outdir });
  return readJson(path.join(outdir, 'Streaming.template.json'));
}

/** What the README's example must deploy: one tracker with its API, subscriber, dashboard and the URL output. */
function expectReadmeStack(template: {
  Resources: Record<string, { Type: string }>;
  Outputs: Record<string, unknown>;
}): void {
  const types = Object.values(template.Resources).map((r) => r.Type);
  expect(types.filter((t) => t === 'AWS::ApiGateway::RestApi')).toHaveLength(1);
  expect(types).toContain('AWS::ECS::Service');
  expect(types).toContain('AWS::CloudWatch::Dashboard');
  expect(Object.keys(template.Outputs)).toContain('TrackerUrl');
}

describe('consumer: the packed library in a fresh project at the development versions', () => {
  let project: string;

  beforeAll(() => {
    project = path.join(work, 'project');
    // cdk-nag is the consumer's choice (the library does not depend on it); this one uses it.
    installProject(project, [
      tarball,
      `aws-cdk-lib@${versionOf('aws-cdk-lib')}`,
      `constructs@${versionOf('constructs')}`,
      `cdk-nag@${versionOf('cdk-nag')}`,
    ]);
    fs.writeFileSync(path.join(project, 'app.js'), CONSUMER_APP);
    fs.writeFileSync(path.join(project, 'consumer.ts'), CONSUMER_TS);
    // The same consumer with a type error: the check below must catch it.
    fs.writeFileSync(path.join(project, 'consumer-bad.ts'), CONSUMER_TS.replace('Duration.seconds(5)', '5'));
    for (const [file, entry] of [
      ['tsconfig.json', 'consumer.ts'],
      ['tsconfig.bad.json', 'consumer-bad.ts'],
    ]) {
      writeStrictTsconfig(project, file, entry);
    }
  }, 300_000);

  test('the tarball holds the compiled construct and the prebuilt bundles, not the sources', () => {
    for (const file of [
      'dist/lib/index.js',
      'dist/lib/index.d.ts',
      'dist/lib/concurrency-tracker.js',
      'dist/contract/index.js',
      '.jsii',
      'API.md',
      'assets/token-vending/index.js',
      'assets/entitlement/index.js',
      'assets/heartbeat-subscriber/index.js',
      'assets/heartbeat-subscriber/Dockerfile',
      'assets/jwt-authorizer/index.js',
      'package.json',
      'LICENSE',
    ]) {
      expect(packedFiles).toContain(file);
    }
    // Every bundle carries its third-party notices; no source map rides into a Lambda zip.
    const bundles = packedFiles.filter((f) => /^assets\/[^/]+\/index\.js$/.test(f));
    expect(bundles.length).toBeGreaterThanOrEqual(4);
    for (const bundle of bundles)
      expect(packedFiles).toContain(bundle.replace(/index\.js$/, 'THIRD-PARTY-NOTICES.txt'));
    expect(packedFiles.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(packedFiles.filter((f) => /^(lib|lambda|test|bin|local|client)\//.test(f))).toEqual([]);
    expect(packedFiles.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
  });

  test('installs with its peer dependencies and no build tools; cdk-nag is not a dependency', () => {
    const installed = fs.readdirSync(path.join(project, 'node_modules'));
    expect(installed).toEqual(expect.arrayContaining(['cdk-concurrency-tracker', 'aws-cdk-lib', 'constructs']));
    expect(installed).not.toContain('esbuild');
    expect(installed).not.toContain('typescript');
    const published = readJson<{ dependencies?: Record<string, string> }>(
      path.join(project, 'node_modules', 'cdk-concurrency-tracker', 'package.json'),
    );
    expect(published.dependencies ?? {}).toEqual({});
  });

  test('installs the verify command as a bin that runs with plain node', () => {
    const bin = path.join(project, 'node_modules', '.bin', 'cdk-concurrency-tracker-verify');
    expect(run(bin, ['--help'], project)).toContain('usage: cdk-concurrency-tracker-verify --url <API URL>');
    // Bad usage: exit code 2 and the reason (run() throws on a non-zero exit, with the output).
    expect(() => run(bin, [], project)).toThrow(/--url is required/);
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
    expect(count('AWS::SecretsManager::Secret')).toBe(6); // per tracker: the auth key, the data key and the generated session-key secret
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

  test("synthesizes the README's example with plain node", () => {
    expectReadmeStack(synthesizeReadmeExample(project));
  });

  test('type-checks a TypeScript consumer against the published declarations', () => {
    const tsc = path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
    expect(() => run('node', [tsc, '-p', 'tsconfig.json'], project)).not.toThrow();
    expect(() => run('node', [tsc, '-p', 'tsconfig.bad.json'], project)).toThrow(/heartbeatInterval|Duration/);
  });
});

describe('consumer: the README example at the declared minimum aws-cdk-lib and constructs', () => {
  const cdkMinimum = peerMinimum('aws-cdk-lib');
  const constructsMinimum = peerMinimum('constructs');
  let project: string;
  let installWarnings: string;

  beforeAll(() => {
    project = path.join(work, 'minimum');
    installWarnings = installProject(project, [
      tarball,
      `aws-cdk-lib@${cdkMinimum}`,
      `constructs@${constructsMinimum}`,
    ]);
    fs.writeFileSync(path.join(project, 'app.ts'), readmeExample());
    writeStrictTsconfig(project, 'tsconfig.json', 'app.ts');
  }, 300_000);

  test('installs the minimum versions without overriding a peer dependency', () => {
    const versionIn = (name: string) =>
      readJson<{ version: string }>(path.join(project, 'node_modules', name, 'package.json')).version;
    expect(versionIn('aws-cdk-lib')).toBe(cdkMinimum);
    expect(versionIn('constructs')).toBe(constructsMinimum);
    expect(installWarnings).not.toMatch(/ERESOLVE|overriding peer/i);
  });

  test('the example type-checks against the published declarations', () => {
    const tsc = path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
    expect(() => run('node', [tsc, '-p', 'tsconfig.json'], project)).not.toThrow();
  });

  test('the example synthesizes with plain node', () => {
    expectReadmeStack(synthesizeReadmeExample(project));
  });
});
