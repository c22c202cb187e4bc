import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { BenchScale } from './bench-scale';
import type { MeasurementResult, SystemRow } from './bench-results';
import { median } from './statistics';

const ROOT = path.resolve(__dirname, '..');
/** Container processes: requiring their bundle starts the service, so only their size is reported. */
const PROCESS_BUNDLES = new Set(['heartbeat-subscriber']);
/**
 * The API's Lambdas issue 17 sets a target for: a bundle of at most 1 MiB whose init takes at most
 * twice the bare node start of the same run.
 */
const TARGETED_BUNDLES = new Set(['token-vending', 'entitlement']);
const MAX_BUNDLE_BYTES = 1024 * 1024;
const MAX_INIT_OVER_BARE = 2;
/** Enough environment for every handler module to load (none is invoked). */
const HANDLER_ENV: Record<string, string> = {
  JWT_ISSUER: 'https://issuer.example.com',
  JWT_AUDIENCE: 'tracker',
  JWT_JWKS_URI: 'https://issuer.example.com/.well-known/jwks.json',
  ACCOUNT_CLAIM: 'sub',
  CACHE_NAME: 'tracker',
  AWS_REGION: 'eu-west-1',
};

/** The handler folders the bundle step turns into `assets/<name>/index.js`. */
function handlerNames(): string[] {
  const lambdaDir = path.join(ROOT, 'lambda');
  return readdirSync(lambdaDir)
    .filter((name) => name !== 'core' && existsSync(path.join(lambdaDir, name, 'index.ts')))
    .sort();
}

/**
 * Makes sure the bundles exist: a full run bundles afresh (`npm run bundle`), so it measures the
 * code it was started on; a quick run bundles only when a bundle is missing.
 */
function ensureBundles(always: boolean): boolean {
  const missing = handlerNames().some((name) => !existsSync(path.join(ROOT, 'assets', name, 'index.js')));
  if (!always && !missing) return false;
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'bundle.mjs')], { cwd: ROOT, stdio: 'ignore' });
  return true;
}

/** `npm pack --dry-run` of the repository, by scripts/package-size.mjs (the `npm run package-size` script). */
function packageSize(): { packedBytes: number; unpackedBytes: number; files: number; assetsBytes: number } {
  return JSON.parse(
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'package-size.mjs'), '--json'], {
      cwd: ROOT,
      encoding: 'utf8',
    }),
  ) as { packedBytes: number; unpackedBytes: number; files: number; assetsBytes: number };
}

/** Wall time of a fresh `node` process running `script`, and what it printed. */
function timeNode(script: string): { wallMs: number; stdout: string; ok: boolean; stderr: string } {
  const t0 = performance.now();
  const result = spawnSync(process.execPath, ['-e', script], {
    cwd: ROOT,
    env: { ...process.env, ...HANDLER_ENV },
    encoding: 'utf8',
  });
  return { wallMs: performance.now() - t0, stdout: result.stdout, stderr: result.stderr, ok: result.status === 0 };
}

/**
 * Cold start: the size of each bundled handler in `assets/`, and its module initialisation (the
 * `require` of the bundle) in a fresh `node` process, beside a bare `node -e ''` start in the
 * same run. A Lambda cold start adds the runtime's own start and the download of the bundle.
 */
export async function measureColdStart(scale: BenchScale): Promise<MeasurementResult> {
  const started = Date.now();
  const bundled = ensureBundles(scale.name === 'full');
  const bare = median(Array.from({ length: scale.coldStartRuns }, () => timeNode('').wallMs));
  const rows: SystemRow[] = [{ measure: "Cold start: bare `node -e ''` process", value: `${bare.toFixed(0)} ms` }];
  const figures: Record<string, number> = { bareNodeMs: bare };
  for (const name of handlerNames()) {
    const file = path.join(ROOT, 'assets', name, 'index.js');
    if (!existsSync(file)) {
      rows.push({
        measure: `Cold start: ${name}`,
        value: 'no bundle',
        note: 'assets/ has no bundle for it (npm run bundle)',
      });
      continue;
    }
    const bytes = statSync(file).size;
    const kib = bytes / 1024;
    figures[`${name}Bytes`] = bytes;
    if (PROCESS_BUNDLES.has(name)) {
      rows.push({
        measure: `Cold start: ${name} bundle`,
        value: `${kib.toFixed(0)} KiB`,
        note: 'a container process (Fargate), not a Lambda: size only',
      });
      continue;
    }
    const script = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
    const runs = Array.from({ length: scale.coldStartRuns }, () => timeNode(script));
    const failed = runs.find((run) => !run.ok);
    if (failed) {
      rows.push({
        measure: `Cold start: ${name}`,
        value: `${kib.toFixed(0)} KiB; init failed`,
        note: failed.stderr.split('\n').find((line) => line.trim() !== '') ?? 'no output',
      });
      continue;
    }
    const init = median(runs.map((run) => Number(run.stdout)));
    const wall = median(runs.map((run) => run.wallMs));
    const overBare = init / bare;
    rows.push({
      measure: `Cold start: ${name}`,
      value: `${kib.toFixed(0)} KiB; init ${init.toFixed(0)} ms (${overBare.toFixed(1)}× the bare start); process ${wall.toFixed(0)} ms`,
      ...(TARGETED_BUNDLES.has(name)
        ? {
            target: `≤ ${MAX_BUNDLE_BYTES / 1024} KiB; init ≤ ${MAX_INIT_OVER_BARE}× the bare start`,
            met: bytes <= MAX_BUNDLE_BYTES && overBare <= MAX_INIT_OVER_BARE,
            note: 'what the bytes are, by package, and what would cut them: docs/architecture.md, "Bundles"',
          }
        : {}),
    });
    figures[`${name}InitMs`] = init;
    figures[`${name}InitOverBare`] = overBare;
  }
  // What a consumer downloads and installs: the bundles (and what rides along with them in assets/)
  // are also what goes into each Lambda zip.
  const size = packageSize();
  const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  rows.push({
    measure: 'Package: `npm pack` size',
    value: `${mib(size.packedBytes)} packed; ${mib(size.unpackedBytes)} unpacked`,
    note: `${size.files} files; assets/ ${mib(size.assetsBytes)} unpacked (npm run package-size)`,
  });
  figures.packagePackedBytes = size.packedBytes;
  figures.packageUnpackedBytes = size.unpackedBytes;
  return {
    section: 'Cold start',
    method:
      `${bundled ? 'Bundled afresh with `npm run bundle`, then each' : 'Each'} bundle in \`assets/\` is loaded with \`require\` in a fresh \`node\` process, ${scale.coldStartRuns} time(s), median: ` +
      '"init" is the require alone (timed inside the process), "process" the whole process from spawn to exit; the bare node start is the same process with nothing to load. No handler is invoked. ' +
      'The package size is `npm pack --dry-run --json` of the repository as it stands after the bundling (`npm run package-size`).',
    systemRows: rows,
    figures,
    elapsedMs: Date.now() - started,
  };
}
