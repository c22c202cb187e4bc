/**
 * `npm run test:reliability`: runs the reliability suite (test/reliability) at full size, then
 * prints the figures each promise's test recorded and writes docs/reliability.md from them. That
 * file is tracked in git: a run rewrites it (date, durations, figures), so commit it or restore it
 * (`git checkout docs/reliability.md`); `--no-docs` leaves it alone. The runner says so as it starts.
 *
 *   --reduced    run the sizes `npm test` runs (quick check of the runner itself)
 *   --no-docs    print the summary only; leave docs/reliability.md alone
 *
 * The handler bundles are built first (`npm run bundle`): the template checks synthesize the app.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { z } from 'zod';
import { renderReliabilityDoc } from './reliability-doc';
import { renderSummary } from './summary';
import { type PromiseResult, promiseFiguresSchema } from './promise-result';

const root = resolve(__dirname, '..');
const args = new Set(process.argv.slice(2));
const unknown = [...args].filter((a) => !['--reduced', '--no-docs'].includes(a));
if (unknown.length > 0) {
  console.error(`unknown option(s): ${unknown.join(' ')} (expected --reduced, --no-docs)`);
  process.exit(2);
}
const scaleName = args.has('--reduced') ? 'reduced' : 'full';
if (!args.has('--no-docs')) {
  console.log('this run rewrites docs/reliability.md, a tracked file, when it ends (--no-docs leaves it alone)');
}

const jestResultSchema = z.object({
  testResults: z.array(
    z.object({
      name: z.string(),
      status: z.string(),
      assertionResults: z.array(z.object({ fullName: z.string(), status: z.string() })).default([]),
    }),
  ),
  numFailedTests: z.number(),
  numPassedTests: z.number(),
});

const bundle = spawnSync(process.execPath, ['scripts/bundle.mjs'], { cwd: root, stdio: 'inherit' });
if (bundle.status !== 0) {
  console.error('npm run bundle failed: the template checks need the handler bundles');
  process.exit(bundle.status ?? 1);
}

const figuresDir = mkdtempSync(join(tmpdir(), 'reliability-figures-'));
const jestJson = join(figuresDir, 'jest-results.json');
const started = Date.now();
const jest = spawnSync(
  process.execPath,
  [require.resolve('jest/bin/jest'), 'test/reliability', '--runInBand', '--json', `--outputFile=${jestJson}`],
  {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, RELIABILITY_SCALE: scaleName, RELIABILITY_FIGURES_DIR: figuresDir },
  },
);
const seconds = (Date.now() - started) / 1000;

let fileStatus = new Map<string, string>();
let fileFailures = new Map<string, string[]>();
let counts = { passed: 0, failed: 0 };
try {
  const parsed = jestResultSchema.parse(JSON.parse(readFileSync(jestJson, 'utf8')));
  fileStatus = new Map(parsed.testResults.map((r) => [relative(root, r.name), r.status]));
  fileFailures = new Map(
    parsed.testResults.map((r) => [
      relative(root, r.name),
      r.assertionResults.filter((a) => a.status === 'failed').map((a) => a.fullName),
    ]),
  );
  counts = { passed: parsed.numPassedTests, failed: parsed.numFailedTests };
} catch (error) {
  console.error(`could not read Jest's results: ${(error as Error).message}`);
}

const results: PromiseResult[] = readdirSync(figuresDir)
  .filter((f) => f.endsWith('.json') && f !== 'jest-results.json')
  .map((f) => promiseFiguresSchema.parse(JSON.parse(readFileSync(join(figuresDir, f), 'utf8'))))
  .map((entry) => ({
    ...entry,
    status: fileStatus.get(entry.test) ?? 'unknown',
    failing: fileFailures.get(entry.test) ?? [],
  }))
  .sort((a, b) => a.id.localeCompare(b.id));
rmSync(figuresDir, { recursive: true, force: true });

const run = {
  command: scaleName === 'full' ? 'npm run test:reliability' : 'npm run test:reliability -- --reduced',
  scale: scaleName,
  date: new Date().toISOString(),
  seconds,
  node: process.version,
  tests: counts,
  exitCode: jest.status ?? 1,
};
console.log(renderSummary(run, results));
if (!args.has('--no-docs')) {
  writeFileSync(join(root, 'docs', 'reliability.md'), renderReliabilityDoc(run, results));
  console.log(
    'wrote docs/reliability.md (a tracked file: `git diff docs/reliability.md` shows the change; `git checkout docs/reliability.md` undoes it)',
  );
}
process.exit(run.exitCode);
