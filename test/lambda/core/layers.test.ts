import * as fs from 'node:fs';
import * as path from 'node:path';

// The layers of lambda/core (docs/architecture.md, "Layout"): the engine and its ports never reach
// an SDK client (only the adapters do, wired by runtime/ and used by the HTTP edge), the ports
// import nothing but each other and the contract, and the contract imports nothing at all.

const repo = path.join(__dirname, '..', '..', '..');
const core = path.join(repo, 'lambda', 'core');
const SDK = /^(@aws-sdk\/|@gomomento\/|@aws-lambda-powertools\/)/;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(file);
    return entry.name.endsWith('.ts') ? [file] : [];
  });
}

/** The modules a file imports at run time (`import type` and `export type` are erased). */
function runtimeImports(file: string): string[] {
  const source = fs.readFileSync(file, 'utf8');
  return [...source.matchAll(/^(?:import|export)\s+(?!type\b)(?:[^;]*?\sfrom\s+)?'([^']+)'/gms)].map((m) => m[1]);
}

function resolve(file: string, spec: string): string | undefined {
  for (const candidate of [
    `${path.join(path.dirname(file), spec)}.ts`,
    path.join(path.dirname(file), spec, 'index.ts'),
  ]) {
    if (fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** The first SDK package a file reaches through its run-time imports, with the path to it. */
function sdkReached(file: string, seen = new Set<string>()): string | undefined {
  if (seen.has(file)) return undefined;
  seen.add(file);
  for (const spec of runtimeImports(file)) {
    if (SDK.test(spec)) return `${path.relative(repo, file)} imports ${spec}`;
    const next = spec.startsWith('.') ? resolve(file, spec) : undefined;
    const reached = next && sdkReached(next, seen);
    if (reached) return `${path.relative(repo, file)} -> ${reached}`;
  }
  return undefined;
}

const layer = (file: string) => path.relative(core, file).split(path.sep)[0];
/** Adapters, the wiring that builds them and the HTTP edge may reach SDKs; everything else is the engine. */
const edgeLayers = new Set(['adapters', 'runtime', 'http']);
const engineFiles = sourceFiles(core).filter((file) => !edgeLayers.has(layer(file)));

test('the engine finds its files (the rule below checks something)', () => {
  expect(engineFiles.length).toBeGreaterThan(15);
  expect(engineFiles.map((file) => path.basename(file))).toEqual(
    expect.arrayContaining(['momento-ports.ts', 'lifecycle-event-sink.ts', 'admission-hook.ts']),
  );
  expect(engineFiles.some((file) => /export function createEngine\b/.test(fs.readFileSync(file, 'utf8')))).toBe(true);
});

test.each(engineFiles.map((file) => [path.relative(repo, file)]))('%s reaches no SDK client', (file) => {
  expect(sdkReached(path.join(repo, file)) ?? 'none').toBe('none');
});

// error-message.ts is the one dependency-free helper every layer shares (errorMessage()).
const sharedHelper = path.join(core, 'error-message.ts');

test('the ports import only ports, the contract and the shared error-message helper', () => {
  for (const file of sourceFiles(path.join(core, 'ports'))) {
    for (const spec of runtimeImports(file)) {
      const target = spec.startsWith('.') ? resolve(file, spec) : undefined;
      const allowed =
        target !== undefined &&
        (layer(target) === 'ports' ||
          target === sharedHelper ||
          target.startsWith(path.join(repo, 'contract') + path.sep));
      expect([path.relative(repo, file), spec, allowed || spec === 'node:crypto']).toEqual([
        path.relative(repo, file),
        spec,
        true,
      ]);
    }
  }
});

test('the contract imports nothing outside itself', () => {
  for (const file of sourceFiles(path.join(repo, 'contract'))) {
    const source = fs.readFileSync(file, 'utf8');
    for (const [, spec] of source.matchAll(/\sfrom\s+'([^']+)'/g)) {
      expect([path.relative(repo, file), spec]).toEqual([
        path.relative(repo, file),
        expect.stringMatching(/^\.\/[a-z-]+$/),
      ]);
    }
  }
});
