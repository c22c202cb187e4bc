// Checks what a packed npm tarball holds before it is published: every file its package.json names
// (main, types, module, bin, exports, typesVersions) and README.md, LICENSE, package.json are there;
// every bundle has its THIRD-PARTY-NOTICES.txt beside it; each bin starts with a node shebang;
// and nothing that must not ship is in it (source maps, tests, snapshots, TypeScript sources other
// than .d.ts, tsconfig files, tarballs, .env files, node_modules). The two packages of this
// repository add their own required files (the handler bundles, the subscriber's Dockerfile, the
// browser build). Used by scripts/release.mjs; on its own:
//   node scripts/tarball-check.mjs <file.tgz>...
// prints each tarball's problems and exits 1 if there are any.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const NOTICES = 'THIRD-PARTY-NOTICES.txt';

/** The files in a tarball, relative to its `package/` folder. */
export function listTarball(tgz) {
  return execFileSync('tar', ['-tzf', tgz], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    .split('\n')
    .filter((line) => line !== '' && !line.endsWith('/'))
    .map((line) => line.replace(/^package\//, ''));
}

/** One file of a tarball, as text. */
export function readTarballFile(tgz, file) {
  return execFileSync('tar', ['-xzOf', tgz, `package/${file}`], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

const normal = (file) => file.replace(/^\.\//, '');

/** Every file a manifest points at: main, types, module, bin, exports and typesVersions targets. */
export function filesNamedBy(manifest) {
  const named = new Set(['package.json', 'README.md', 'LICENSE']);
  for (const field of ['main', 'types', 'typings', 'module', 'browser'])
    if (typeof manifest[field] === 'string') named.add(normal(manifest[field]));
  if (typeof manifest.bin === 'string') named.add(normal(manifest.bin));
  else for (const target of Object.values(manifest.bin ?? {})) named.add(normal(target));
  const strings = (value) =>
    typeof value === 'string'
      ? [value]
      : Array.isArray(value)
        ? value.flatMap(strings)
        : value && typeof value === 'object'
          ? Object.values(value).flatMap(strings)
          : [];
  for (const target of [...strings(manifest.exports ?? {}), ...strings(manifest.typesVersions ?? {})]) {
    if (!target.includes('*')) named.add(normal(target));
  }
  if ((manifest.files ?? []).includes('CHANGELOG.md')) named.add('CHANGELOG.md');
  return [...named].sort();
}

/** What must never be published, with the reason printed. */
const FORBIDDEN = [
  [/\.map$/, 'a source map'],
  [/(^|\/)(test|tests|__tests__|__snapshots__|__mocks__)\//, 'a test folder'],
  [/\.(test|spec)\.[cm]?[jt]sx?$/, 'a test file'],
  [/\.snap$/, 'a Jest snapshot'],
  [/(?<!\.d)\.[cm]?tsx?$/, 'TypeScript source (only .d.ts ships)'],
  [/(^|\/)tsconfig[^/]*\.json$/, 'a tsconfig file'],
  [/\.tgz$/, 'a tarball'],
  [/(^|\/)\.env(\.|$)/, 'an .env file'],
  [/(^|\/)node_modules\//, 'node_modules'],
  [/^(sourcemaps|cdk\.out|coverage)\//, 'a build or test output folder'],
];

/** The rules this repository's two packages add to the generic ones. */
function packageRules(manifest) {
  if (manifest.name === 'cdk-concurrency-tracker') {
    const lambdaDir = path.join(root, 'lambda');
    const handlers = existsSync(lambdaDir)
      ? readdirSync(lambdaDir).filter((name) => existsSync(path.join(lambdaDir, name, 'index.ts')))
      : [];
    return {
      required: [
        ...handlers.map((name) => `assets/${name}/index.js`),
        'assets/heartbeat-subscriber/Dockerfile',
        'dist/index.d.ts',
      ],
      bundles: [/^assets\/[^/]+\/index\.js$/, /^dist\/verify\/cli\.js$/],
    };
  }
  if (manifest.name === 'cdk-concurrency-tracker-client')
    return { required: [], bundles: [/^dist\/browser\/[^/]+\.mjs$/] };
  return { required: [], bundles: [] };
}

/** The problems of one tarball, one line each (none: it may be published). */
export function tarballProblems(tgz) {
  const files = listTarball(tgz);
  const present = new Set(files);
  if (!present.has('package.json')) return ['package.json is missing: not an npm tarball'];
  const manifest = JSON.parse(readTarballFile(tgz, 'package.json'));
  const rules = packageRules(manifest);
  const problems = [];
  for (const file of [...filesNamedBy(manifest), ...rules.required]) {
    if (!present.has(file)) problems.push(`missing ${file}`);
  }
  for (const file of files) {
    const forbidden = FORBIDDEN.find(([pattern]) => pattern.test(file));
    if (forbidden) problems.push(`must not ship ${file} (${forbidden[1]})`);
    if (rules.bundles.some((pattern) => pattern.test(file))) {
      const notices = path.posix.join(path.posix.dirname(file), NOTICES);
      if (!present.has(notices)) problems.push(`missing ${notices} beside the bundle ${file}`);
    }
  }
  const bins = typeof manifest.bin === 'string' ? [manifest.bin] : Object.values(manifest.bin ?? {});
  for (const bin of bins.map(normal)) {
    if (present.has(bin) && !readTarballFile(tgz, bin).startsWith('#!/usr/bin/env node'))
      problems.push(`the bin ${bin} does not start with #!/usr/bin/env node`);
  }
  return [...new Set(problems)];
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const tarballs = process.argv.slice(2);
  if (tarballs.length === 0) {
    console.error('usage: node scripts/tarball-check.mjs <file.tgz>...');
    process.exit(2);
  }
  let failed = false;
  for (const tgz of tarballs) {
    const problems = tarballProblems(tgz);
    if (problems.length === 0) {
      console.log(
        `tarball-check: ${path.basename(tgz)}: ${listTarball(tgz).length} files, nothing missing, nothing that must not ship`,
      );
    } else {
      failed = true;
      console.error(`tarball-check: ${path.basename(tgz)}: ${problems.length} problem(s)`);
      for (const problem of problems) console.error(`  - ${problem}`);
    }
  }
  process.exit(failed ? 1 : 0);
}
