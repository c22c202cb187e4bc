import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Playground } from '../../local/playground/playground';
import { startOneAccountPlayground } from '../local/playground/support/one-account-playground';
import { bundleForBrowser } from '../client/support/browser-bundle';
import { installProject, readJson, run, runAsync } from './support/fresh-project';

// The device client as a player team gets it: packages/client is built and packed as npm would
// publish it, the tarball is installed into fresh projects (one for a browser app, without the
// optional @gomomento/sdk; one for a Node app, with it), and Node scripts there load the package
// with require() and with import, start a DeviceSession against the playground (the token-vending,
// entitlement and heartbeat-subscriber code over the emulator, started here), reach `active`, and
// stop. Nothing in those projects can reach the repository's sources.

jest.setTimeout(300_000);

const repo = path.resolve(__dirname, '..', '..');
const packageDir = path.join(repo, 'packages', 'client');
const fixtures = path.join(__dirname, 'client-project');
const NAME = 'cdk-concurrency-tracker-client';
const versionOf = (name: string): string =>
  readJson<{ version: string }>(path.join(repo, 'node_modules', name, 'package.json')).version;
const tsc = path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc');

// The lease is far longer than the wait for a stopped session to be freed, so a session freed
// within that wait was freed by its stop message, not by its lease running out.
const LEASE_SECONDS = 120;
const STOP_POLL_MS = 30_000;

interface SessionRun {
  started: string;
  startError?: string;
  sessionId?: string;
  states: string[];
  countedWhileActive?: number;
  countedAfterStop?: number;
  resolved: string;
  sameClassAsMainEntry: boolean;
}

let work: string;
let tarball: string;
let packedFiles: string[];
let playground: Playground;
/** The tarball alone: what a browser app installs. */
let browserApp: string;
/** The tarball with @gomomento/sdk: what a Node app installs. */
let nodeApp: string;

beforeAll(async () => {
  // Always from the working tree's client/ sources: a stale dist/ would test old code.
  run('node', [path.join(repo, 'scripts', 'build-client.mjs')], repo, 240_000);
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'tracker-client-package-'));
  const packed = JSON.parse(
    run(
      'npm',
      ['pack', '--json', '--ignore-scripts', '--workspace', 'packages/client', '--pack-destination', work],
      repo,
    ),
  ) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  packedFiles = packed[0]!.files.map((f) => f.path);
  tarball = path.join(work, packed[0]!.filename);
  // Installed before the playground starts: an install blocks this process, which serves the playground.
  browserApp = freshProject('browser-app');
  nodeApp = freshProject('node-app', [
    `@gomomento/sdk@${versionOf('@gomomento/sdk')}`,
    `react@${versionOf('react')}`,
    `react-dom@${versionOf('react-dom')}`,
    `@types/react@${versionOf('@types/react')}`,
  ]);
  playground = await startOneAccountPlayground({ limit: 2, leaseSeconds: LEASE_SECONDS });
}, 400_000);

afterAll(async () => {
  await playground?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

/** A fresh project with the tarball (and `extra` packages) installed and the fixture scripts copied in. */
function freshProject(name: string, extra: string[] = []): string {
  const project = path.join(work, name);
  installProject(project, [tarball, ...extra]);
  for (const file of fs.readdirSync(fixtures)) fs.copyFileSync(path.join(fixtures, file), path.join(project, file));
  // Paths below are compared with what Node resolves, which follows symlinks (a /tmp that is one).
  return fs.realpathSync(project);
}

let accounts = 0;
/** Runs session.cjs or session.mjs in the project: one session through `entry` with the given transport. */
async function runSession(
  project: string,
  script: 'session.cjs' | 'session.mjs',
  entry: string,
  transport: 'http' | 'sdk',
): Promise<SessionRun> {
  accounts += 1;
  const topics = transport === 'sdk' ? playground.emulatorAddress : playground.emulatorHttpUrl;
  const output = await runAsync(
    'node',
    [script, entry, transport, playground.apiUrl, topics, `package-${accounts}`, String(STOP_POLL_MS)],
    project,
    120_000,
  );
  const lines = output.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as SessionRun;
}

/** Runs entries.cjs in the project: the /testing, /videojs and (when react is installed) /react entries. */
async function runEntries(project: string): Promise<Record<string, unknown> & { session: SessionRun }> {
  accounts += 1;
  const args = [
    NAME,
    'http',
    playground.apiUrl,
    playground.emulatorHttpUrl,
    `package-${accounts}`,
    String(STOP_POLL_MS),
  ];
  const output = await runAsync('node', ['entries.cjs', ...args], project, 120_000);
  const lines = output.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as Record<string, unknown> & { session: SessionRun };
}

/** The session reached `active`, the backend counted it, and after stop() the backend freed it. */
function expectActiveThenStopped(result: SessionRun): void {
  expect(result.startError).toBeUndefined();
  expect(result.started).toBe('active');
  expect(result.states).toContain('active');
  expect(result.states[result.states.length - 1]).toBe('stopped');
  expect(result.countedWhileActive).toBe(200);
  expect(result.countedAfterStop).toBe(404);
}

describe('the packed device client', () => {
  test('holds the ES modules, the CommonJS build, the declarations and the browser module, not the sources', () => {
    for (const file of [
      'package.json',
      'README.md',
      'LICENSE',
      'dist/esm/index.mjs',
      'dist/esm/node.mjs',
      'dist/cjs/client/index.js',
      'dist/cjs/client/index.d.ts',
      'dist/cjs/client/node.js',
      'dist/cjs/client/node.d.ts',
      'dist/browser/client.min.mjs',
      'dist/browser/THIRD-PARTY-NOTICES.txt',
      ...['testing', 'react', 'videojs'].flatMap((entry) => [
        `dist/esm/${entry}.mjs`,
        `dist/cjs/client/${entry}.js`,
        `dist/cjs/client/${entry}.d.ts`,
      ]),
    ]) {
      expect(packedFiles).toContain(file);
    }
    expect(packedFiles.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(packedFiles.filter((f) => f.endsWith('.map') || f.startsWith('assets/') || f.startsWith('client/'))).toEqual(
      [],
    );
    // zod is what the browser module bundles; its licence travels with it.
    expect(fs.readFileSync(path.join(packageDir, 'dist', 'browser', 'THIRD-PARTY-NOTICES.txt'), 'utf8')).toMatch(
      /^- zod@/m,
    );
  });

  test('depends on zod only; @gomomento/sdk and react are optional peers; nothing of the CDK', () => {
    const manifest = readJson<{
      dependencies: Record<string, string>;
      peerDependencies: Record<string, string>;
      peerDependenciesMeta: Record<string, { optional?: boolean }>;
    }>(path.join(packageDir, 'package.json'));
    expect(Object.keys(manifest.dependencies)).toEqual(['zod']);
    expect(manifest.peerDependencies).toEqual({ '@gomomento/sdk': expect.any(String), react: expect.any(String) });
    expect(manifest.peerDependenciesMeta['@gomomento/sdk']?.optional).toBe(true);
    expect(manifest.peerDependenciesMeta.react?.optional).toBe(true);
  });

  test('the browser module and the ES build of the main entry contain no Momento SDK or gRPC', () => {
    const browserModule = fs.readFileSync(path.join(packageDir, 'dist', 'browser', 'client.min.mjs'), 'utf8');
    expect(browserModule).toContain('heartbeat');
    expect(browserModule).not.toMatch(/@gomomento|@grpc|grpc-js/);
    // index.mjs and every chunk it imports.
    const esmDir = path.join(packageDir, 'dist', 'esm');
    const loaded = new Set(['index.mjs']);
    for (const file of loaded) {
      const source = fs.readFileSync(path.join(esmDir, file), 'utf8');
      expect(source).not.toMatch(/@gomomento|@grpc/);
      for (const [, relative] of source.matchAll(/from\s*["'](\.\/[^"']+)["']/g))
        loaded.add(path.posix.join(path.posix.dirname(file), relative!));
    }
    expect(loaded.size).toBeGreaterThan(1);
    // node.mjs is where the SDK transport lives.
    expect(fs.readFileSync(path.join(esmDir, 'node.mjs'), 'utf8')).toMatch(/from\s*["']@gomomento\/sdk["']/);
  });
});

describe('a browser app: the tarball alone, without @gomomento/sdk', () => {
  const project = () => browserApp;

  test('installs zod and nothing of the CDK, the Momento SDK or gRPC', () => {
    const installed = fs.readdirSync(path.join(project(), 'node_modules'));
    expect(installed).toEqual(expect.arrayContaining([NAME, 'zod']));
    for (const absent of ['aws-cdk-lib', 'constructs', '@gomomento', '@grpc', 'cdk-concurrency-tracker'])
      expect(installed).not.toContain(absent);
  });

  test('require() of the main entry: a session over the HTTP topics API reaches active, and stop frees it', async () => {
    const result = await runSession(project(), 'session.cjs', NAME, 'http');
    expectActiveThenStopped(result);
    expect(result.resolved).toBe(path.join(project(), 'node_modules', NAME, 'dist', 'cjs', 'client', 'index.js'));
  });

  test('import of the main entry: a session over the HTTP topics API reaches active, and stop frees it', async () => {
    const result = await runSession(project(), 'session.mjs', NAME, 'http');
    expectActiveThenStopped(result);
    expect(result.resolved).toMatch(/\/node_modules\/cdk-concurrency-tracker-client\/dist\/esm\/index\.mjs$/);
  });

  test('import of the standalone browser module: a session reaches active, and stop frees it', async () => {
    const result = await runSession(project(), 'session.mjs', `${NAME}/browser`, 'http');
    expectActiveThenStopped(result);
    expect(result.resolved).toMatch(/\/dist\/browser\/client\.min\.mjs$/);
  });

  test("an app's bundler builds the main entry for the browser with the SDK absent", async () => {
    // The SDK is not installed here: the build would fail if the browser entry imported it.
    const { inputs, bytes } = await bundleForBrowser({
      stdin: {
        contents: `import { DeviceSession, createHttpTopicTransport } from '${NAME}';\nexport const session = new DeviceSession({ deviceId: 'd', requestToken: () => fetch('/t'), transport: createHttpTopicTransport() });`,
        resolveDir: project(),
        loader: 'js',
      },
      absWorkingDir: project(),
    });
    expect(inputs.some((input) => input.includes(`node_modules/${NAME}/dist/esm/`))).toBe(true);
    expect(inputs.filter((input) => /@gomomento|@grpc/.test(input))).toEqual([]);
    console.log(`browser app bundle with ${NAME}: ${bytes} bytes minified`);
  });

  test('the test double and the video.js binding load without react or video.js; the React entry says react is missing', async () => {
    const result = await runEntries(project());
    expect(result).toMatchObject({
      fakeStart: 'active',
      fakeEvents: ['state:starting', 'state:active', 'active', 'state:evicted', 'evicted'],
      fakeGrantHasToken: true,
      notice: { text: 'Playback was stopped from another device or by your account', action: 'Watch here' },
      videojsClass: 'vjs-session-ended',
      react: 'not installed',
    });
    expectActiveThenStopped(result.session);
    await expect(runAsync('node', ['-e', `require('${NAME}/react')`], project())).rejects.toThrow(
      /Cannot find module 'react'/,
    );
  });

  test('the Node entry says what is missing when the optional @gomomento/sdk is not installed', async () => {
    await expect(runAsync('node', ['-e', `require('${NAME}/node')`], project())).rejects.toThrow(
      /Cannot find module '@gomomento\/sdk'/,
    );
  });
});

describe('a Node app: the tarball with @gomomento/sdk', () => {
  const project = () => nodeApp;

  test('require() of the Node entry: a session over gRPC reaches active, and stop frees it', async () => {
    const result = await runSession(project(), 'session.cjs', `${NAME}/node`, 'sdk');
    expectActiveThenStopped(result);
    expect(result.resolved).toBe(path.join(project(), 'node_modules', NAME, 'dist', 'cjs', 'client', 'node.js'));
    expect(result.sameClassAsMainEntry).toBe(true);
  });

  test('import of the Node entry: a session over gRPC reaches active, and stop frees it', async () => {
    const result = await runSession(project(), 'session.mjs', `${NAME}/node`, 'sdk');
    expectActiveThenStopped(result);
    expect(result.resolved).toMatch(/\/node_modules\/cdk-concurrency-tracker-client\/dist\/esm\/node\.mjs$/);
    expect(result.sameClassAsMainEntry).toBe(true);
  });

  test('the React hook (with react installed) renders a session admitted by the playground', async () => {
    const result = await runEntries(project());
    expect(result.rendered).toBe(`<p>active ${result.sessionId}</p>`);
    expectActiveThenStopped(result.session);
  });

  test('a TypeScript consumer type-checks against the published declarations (CommonJS, ES module, bundler)', async () => {
    const options = {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      target: 'ES2022',
      lib: ['ES2022', 'DOM'],
      types: [],
    };
    const configs: Record<string, { compilerOptions: Record<string, unknown>; files: string[] }> = {
      'tsconfig.node10.json': {
        compilerOptions: { ...options, module: 'commonjs', moduleResolution: 'node10' },
        files: ['consumer.ts'],
      },
      'tsconfig.nodenext.json': {
        compilerOptions: { ...options, module: 'nodenext', moduleResolution: 'nodenext' },
        files: ['consumer.ts', 'consumer.mts'],
      },
      'tsconfig.bundler.json': {
        compilerOptions: { ...options, module: 'esnext', moduleResolution: 'bundler' },
        files: ['consumer.ts'],
      },
      'tsconfig.bad.json': {
        compilerOptions: { ...options, module: 'commonjs', moduleResolution: 'node10' },
        files: ['consumer-bad.ts'],
      },
    };
    const dir = project();
    const consumer = fs.readFileSync(path.join(dir, 'consumer.ts'), 'utf8');
    fs.writeFileSync(path.join(dir, 'consumer.mts'), consumer);
    // The same consumer with a state the client does not have: the check must catch it.
    fs.writeFileSync(
      path.join(dir, 'consumer-bad.ts'),
      consumer.replace('seen.push(state)', "seen.push(state === 'active' ? 'playing' : state)"),
    );
    for (const [file, config] of Object.entries(configs))
      fs.writeFileSync(path.join(dir, file), JSON.stringify(config));
    for (const file of ['tsconfig.node10.json', 'tsconfig.nodenext.json', 'tsconfig.bundler.json']) {
      await expect(runAsync('node', [tsc, '-p', file], dir)).resolves.toBeDefined();
    }
    await expect(runAsync('node', [tsc, '-p', 'tsconfig.bad.json'], dir)).rejects.toThrow(/'"playing"'/);
  });
});
