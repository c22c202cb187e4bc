// `npm run release`: everything a release needs short of publishing, for both packages
// (cdk-concurrency-tracker and packages/client, cdk-concurrency-tracker-client):
//   1. the two versions are the same and CHANGELOG.md has a section for it;
//   2. `npm test` (which builds the bundles, the library, the verify command and the client first);
//   3. `npm pack` of each package into release/;
//   4. scripts/tarball-check.mjs on each tarball (named files present, notices beside bundles, bin
//      with its shebang, no source maps, tests or TypeScript sources).
// It ends by printing the one command that publishes both tarballs; it never publishes.
// `npm run release -- --skip-tests` builds instead of testing (to re-pack after a passing run).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { listTarball, tarballProblems } from './tarball-check.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const releaseDir = path.join(root, 'release');
const skipTests = process.argv.includes('--skip-tests');
const unknown = process.argv.slice(2).filter((arg) => arg !== '--skip-tests');
if (unknown.length > 0) {
  console.error(`release: unknown option ${unknown.join(' ')} (the only option is --skip-tests)`);
  process.exit(2);
}

const manifest = (dir) => JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
const run = (command, args) => execFileSync(command, args, { cwd: root, stdio: 'inherit' });
const fail = (message) => {
  console.error(`release: ${message}`);
  process.exit(1);
};

// 1. One version, with its changelog entry.
const library = manifest(root);
const client = manifest(path.join(root, 'packages', 'client'));
if (library.version !== client.version) {
  fail(
    `the versions differ: ${library.name} ${library.version}, ${client.name} ${client.version}; they are released together (README, "Versions and releases")`,
  );
}
const version = library.version;
const changelog = readFileSync(path.join(root, 'CHANGELOG.md'), 'utf8');
const entry = new RegExp(`^## \\[${version.replace(/\./g, '\\.')}\\] - (\\d{4}-\\d{2}-\\d{2}|Unreleased)$`, 'm').exec(
  changelog,
);
if (!entry) fail(`CHANGELOG.md has no "## [${version}] - <date>" section: add what changed before releasing`);
// jsii needs a repository URL, and the project's real one was not known when the jsii section was
// written: package.json carries a stand-in that a published package must not point to.
const STAND_IN_REPOSITORY = 'github.com/cdk-concurrency-tracker/cdk-concurrency-tracker';
if (String(library.repository?.url ?? '').includes(STAND_IN_REPOSITORY)) {
  fail(
    `package.json's repository.url (and jsii.targets.go.moduleName) still name the stand-in ${STAND_IN_REPOSITORY}: set the project's real repository before releasing`,
  );
}
console.log(`release: ${library.name} and ${client.name} ${version}`);

// 2. Build and test.
if (skipTests) {
  console.log('release: --skip-tests: building only');
  run('npm', ['run', 'build']);
} else {
  run('npm', ['test']);
}

// 3. Pack (the client's prepack builds it again from client/).
rmSync(releaseDir, { recursive: true, force: true });
mkdirSync(releaseDir, { recursive: true });
const pack = (args) => {
  const output = execFileSync('npm', ['pack', '--json', '--pack-destination', releaseDir, ...args], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // A prepack script (the client's build) prints before npm's JSON: read from the JSON on.
  const json = output.startsWith('[') ? output : output.slice(output.indexOf('\n[') + 1);
  return JSON.parse(json).map((packed) => path.join(releaseDir, packed.filename));
};
const tarballs = [...pack([]), ...pack(['--workspace', 'packages/client'])];

// 4. Check what each tarball holds.
let problems = 0;
for (const tgz of tarballs) {
  const found = tarballProblems(tgz);
  problems += found.length;
  if (found.length === 0)
    console.log(`release: ${path.relative(root, tgz)}: ${listTarball(tgz).length} files, checked`);
  else console.error(`release: ${path.relative(root, tgz)}:\n${found.map((line) => `  - ${line}`).join('\n')}`);
}
if (problems > 0) fail(`${problems} problem(s) in the tarballs; nothing to publish`);

if (entry[1] === 'Unreleased')
  console.log(
    `release: CHANGELOG.md still says "## [${version}] - Unreleased": put today's date there when you publish`,
  );
console.log(`release: ready. To publish (needs npm credentials: npm login, or NPM_TOKEN in CI):
  npm publish ${tarballs.map((tgz) => path.relative(root, tgz)).join(' && npm publish ')}
then tag the commit: git tag v${version} && git push origin v${version}`);
