import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';
import type { Playground } from '../../local/playground/playground';
import { startOneAccountPlayground } from '../local/playground/support/one-account-playground';
import { run } from '../consumer/support/fresh-project';

// docs/client.md followed literally. Its ```ts blocks are type-checked, each as a module of a
// player's app, against the declarations of the built package (packages/client/dist, resolved as
// an app resolves `cdk-concurrency-tracker-client`), with the app's own functions they name
// declared. The browser flow ("In the browser") then runs as written against the playground (the
// construct's handlers over the emulator): only the page's origin (`/api/playback-token`, the
// player's backend) and the topics API's `baseUrl` (as the page says for the emulator) are supplied.
jest.setTimeout(300_000);

const repo = path.resolve(__dirname, '..', '..');
const docs = fs.readFileSync(path.join(repo, 'docs', 'client.md'), 'utf8');
const blocks = [...docs.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!);

/** What the snippets call that belongs to the player's app, not to the client. */
const APP_DECLARATIONS = `
declare function getOrCreateDeviceId(storage?: Storage): string;
declare function renderBadge(state: string): void;
declare function pausePlayer(message: string): void;
declare function t(key: string): string;
declare function showBanner(message: string): void;
declare function hideBanner(): void;
declare function offerToStopADevice(sessions: readonly unknown[]): void;
declare function showError(message: string, options: { canRetry: boolean }): void;
declare function askWhichDeviceToStop<S>(sessions: readonly S[]): Promise<S>;
declare function callTokensWithSigV4(body: object): Promise<Response>;
declare function reportToMonitoring(message: string, details?: Record<string, unknown>): void;
declare const player: { play(): void };
declare const session: import('cdk-concurrency-tracker-client').DeviceSession;
`;

let work: string;

beforeAll(() => {
  run('node', [path.join(repo, 'scripts', 'build-client.mjs')], repo, 240_000);
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'client-docs-'));
  // The app's node_modules: the built package under its own name (its zod and react resolve from
  // the repository, where the package's dependencies are installed).
  fs.mkdirSync(path.join(work, 'node_modules'));
  fs.symlinkSync(
    path.join(repo, 'packages', 'client'),
    path.join(work, 'node_modules', 'cdk-concurrency-tracker-client'),
    'dir',
  );
  // What the binding snippets import besides the client, as the app installs them.
  fs.mkdirSync(path.join(work, 'node_modules', '@types'));
  for (const name of ['video.js', 'react', '@types/react'])
    fs.symlinkSync(path.join(repo, 'node_modules', name), path.join(work, 'node_modules', name), 'dir');
});

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

/** Type-checks snippets as the modules of an app; the diagnostics, as text. */
function typeCheck(snippets: readonly string[]): string[] {
  const files = snippets.map((snippet, i) => {
    const file = path.join(work, `snippet-${i + 1}.ts`);
    // A snippet that declares a name the preamble declares (getOrCreateDeviceId, player) keeps its own.
    const own = (name: string) => new RegExp(`(function|const|let)\\s+${name}\\b`).test(snippet);
    const preamble = APP_DECLARATIONS.split('\n')
      .filter((line) => !own(/declare (?:function|const) (\w+)/.exec(line)?.[1] ?? '\u0000'))
      .join('\n');
    fs.writeFileSync(file, `${preamble}\n${snippet}\nexport {};\n`);
    return file;
  });
  const program = ts.createProgram(files, {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    types: ['node', 'jest'],
    typeRoots: [path.join(repo, 'node_modules', '@types')],
    skipLibCheck: true,
    esModuleInterop: true,
  });
  return ts
    .getPreEmitDiagnostics(program)
    .map(
      (d) => `${d.file ? path.basename(d.file.fileName) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
    );
}

describe('docs/client.md', () => {
  it('has the snippets this test follows', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(8);
    expect(blocks.some((block) => block.includes("from 'cdk-concurrency-tracker-client/react'"))).toBe(true);
    expect(blocks.some((block) => block.includes("from 'cdk-concurrency-tracker-client/videojs'"))).toBe(true);
    expect(blocks.some((block) => block.includes("from 'cdk-concurrency-tracker-client/testing'"))).toBe(true);
  });

  it('every ts snippet type-checks against the built package', () => {
    expect(typeCheck(blocks)).toEqual([]);
  });

  it('the check catches a snippet that misuses the client', () => {
    const browser = blocks.find((block) => block.includes("session.on('state'"))!;
    const broken = browser
      .replace("result.state === 'refused'", "result.state === 'rejected'")
      .replace("session.on('state'", "session.on('status'");
    const problems = typeCheck([broken]);
    expect(problems.join('\n')).toMatch(/'"status"'/);
    expect(problems.join('\n')).toMatch(/'"rejected"'/);
  });

  describe('the browser flow, run as written', () => {
    let playground: Playground;

    beforeAll(async () => {
      playground = await startOneAccountPlayground({ leaseSeconds: 30 });
    });

    afterAll(async () => {
      await playground?.stop();
    });

    it('starts, plays, and stop() frees the slot at the backend', async () => {
      const flow = blocks.find(
        (block) => block.includes("session.on('state'") && block.includes('await session.stop()'),
      )!;
      // The page's own functions, recording what the snippet does with them.
      const page = `
const seen = { badges: [], played: 0, paused: [], errors: [], sessionIds: [] };
globalThis.__seen = seen;
const pageOrigin = process.env.PAGE_ORIGIN;
const realFetch = globalThis.fetch;
// The page's origin is the player's backend: it adds the account and forwards to POST /tokens.
globalThis.fetch = (input, init) => {
  const url = String(input);
  if (url === '/api/playback-token') {
    const body = JSON.parse(init.body);
    return realFetch(new URL('/tokens', process.env.API_URL), { ...init, body: JSON.stringify({ ...body, accountId: 'docs-account' }) });
  }
  return realFetch(url.startsWith('/') ? new URL(url, pageOrigin) : input, init);
};
const getOrCreateDeviceId = () => 'docs-device';
const renderBadge = (state) => seen.badges.push(state);
const pausePlayer = (message) => seen.paused.push(message);
const t = (key) => key;
const showBanner = () => undefined;
const hideBanner = () => undefined;
const offerToStopADevice = () => seen.errors.push('refused');
const showError = (message) => seen.errors.push(message);
const player = { play: () => { seen.played += 1; seen.sessionIds.push(session.sessionId); } };
`;
      const entry = path.join(work, 'flow.mjs');
      fs.writeFileSync(entry, `${page}\n${flow}\nconsole.log(JSON.stringify(globalThis.__seen));\n`);
      // The emulator's topics API, as "In the browser" says to pass it locally (baseUrl).
      const shim = path.join(work, 'client-with-emulator.mjs');
      const dist = path.join(repo, 'packages', 'client', 'dist', 'esm', 'index.mjs');
      fs.writeFileSync(
        shim,
        `export * from ${JSON.stringify(dist)};\nimport { createHttpTopicTransport as create } from ${JSON.stringify(dist)};\n` +
          `export const createHttpTopicTransport = (options = {}) => create({ baseUrl: process.env.TOPICS_URL, ...options });\n`,
      );
      const bundle = path.join(work, 'flow.bundle.mjs');
      await build({
        entryPoints: [entry],
        outfile: bundle,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'es2022',
        alias: { 'cdk-concurrency-tracker-client': shim },
        nodePaths: [path.join(repo, 'node_modules')],
        logLevel: 'silent',
      });
      const before = await (await fetch(new URL('/accounts/docs-account/sessions', playground.apiUrl))).json();
      expect(before.active).toBe(0);

      const env = {
        ...process.env,
        API_URL: playground.apiUrl,
        PAGE_ORIGIN: playground.apiUrl,
        TOPICS_URL: playground.emulatorHttpUrl,
      };
      const output = await runAsyncWithEnv(bundle, env);
      const seen = JSON.parse(output.trim().split('\n').pop()!) as {
        badges: string[];
        played: number;
        errors: string[];
        sessionIds: string[];
      };

      expect(seen.errors).toEqual([]);
      expect(seen.badges).toEqual(['starting', 'active', 'stopped']);
      expect(seen.played).toBe(1);
      // The backend admitted it, and the stop freed it at once (the lease is 30 s).
      const after = await (await fetch(new URL('/accounts/docs-account/sessions', playground.apiUrl))).json();
      expect(after.active).toBe(0);
      const check = await fetch(new URL(`/accounts/docs-account/sessions/${seen.sessionIds[0]}`, playground.apiUrl));
      expect(check.status).toBe(404);
    });
  });
});

/** Runs the bundled flow with `env` (passed explicitly: a child does not see Jest's copy of process.env). */
function runAsyncWithEnv(file: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'node',
      [file],
      { cwd: path.dirname(file), env, encoding: 'utf8', timeout: 120_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`the docs flow failed: ${error.message}\n${stdout}\n${stderr}`));
        else resolve(stdout);
      },
    );
  });
}
