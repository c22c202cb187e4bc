import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

// scripts/tarball-check.mjs, which `npm run release` runs on both packages' tarballs before they
// may be published, on tarballs made here with tar: a complete one passes, and each thing a release
// must not get wrong (a missing required file, a missing notices file, a bin without its shebang, a
// source map, a test file, a TypeScript source) fails it with a line naming the file.

const ROOT = join(__dirname, '..', '..');
const CHECK = join(ROOT, 'scripts', 'tarball-check.mjs');

/** The client package's shape: its package.json names every entry, and the browser build is a bundle. */
const CLIENT_MANIFEST = {
  name: 'cdk-concurrency-tracker-client',
  version: '9.9.9',
  main: './dist/cjs/client/index.js',
  module: './dist/esm/index.mjs',
  types: './dist/cjs/client/index.d.ts',
  exports: {
    '.': {
      types: './dist/cjs/client/index.d.ts',
      import: './dist/esm/index.mjs',
      require: './dist/cjs/client/index.js',
    },
    './node': {
      types: './dist/cjs/client/node.d.ts',
      import: './dist/esm/node.mjs',
      require: './dist/cjs/client/node.js',
    },
    './browser': { types: './dist/cjs/client/index.d.ts', default: './dist/browser/client.min.mjs' },
    './package.json': './package.json',
  },
  files: ['dist', 'README.md', 'LICENSE'],
};
const CLIENT_FILES = [
  'README.md',
  'LICENSE',
  'dist/cjs/client/index.js',
  'dist/cjs/client/index.d.ts',
  'dist/cjs/client/node.js',
  'dist/cjs/client/node.d.ts',
  'dist/esm/index.mjs',
  'dist/esm/node.mjs',
  'dist/browser/client.min.mjs',
  'dist/browser/THIRD-PARTY-NOTICES.txt',
];

/** A package with a command: the bin must be there and start with a node shebang. */
const TOOL_MANIFEST = {
  name: 'some-tool',
  version: '1.0.0',
  main: 'dist/index.js',
  types: 'dist/index.d.ts',
  bin: { 'some-tool': 'dist/cli.js' },
  files: ['dist', 'CHANGELOG.md'],
};
const TOOL_FILES = ['README.md', 'LICENSE', 'CHANGELOG.md', 'dist/index.js', 'dist/index.d.ts', 'dist/cli.js'];

describe('the release tarball check', () => {
  let work: string;
  beforeAll(() => (work = mkdtempSync(join(tmpdir(), 'tarball-check-'))));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  let count = 0;
  /** Packs `files` (and package.json) under package/ as npm pack does; returns the .tgz path. */
  function tarball(manifest: object, files: readonly string[], contents: Record<string, string> = {}): string {
    count += 1;
    const dir = join(work, `t${count}`);
    const pkg = join(dir, 'package');
    for (const file of ['package.json', ...files]) {
      mkdirSync(dirname(join(pkg, file)), { recursive: true });
      const text =
        file === 'package.json'
          ? JSON.stringify(manifest)
          : (contents[file] ?? (file === 'dist/cli.js' ? '#!/usr/bin/env node\nconsole.log(1);\n' : `// ${file}\n`));
      writeFileSync(join(pkg, file), text);
    }
    const tgz = join(dir, `${(manifest as { name: string }).name}.tgz`);
    execFileSync('tar', ['-czf', tgz, '-C', dir, 'package']);
    return tgz;
  }
  const check = (tgz: string) => {
    const result = spawnSync(process.execPath, [CHECK, tgz], { encoding: 'utf8' });
    return { code: result.status, output: `${result.stdout}${result.stderr}` };
  };

  it('passes complete tarballs', () => {
    expect(check(tarball(CLIENT_MANIFEST, CLIENT_FILES))).toEqual({
      code: 0,
      output: expect.stringContaining('nothing missing, nothing that must not ship'),
    });
    expect(check(tarball(TOOL_MANIFEST, TOOL_FILES)).code).toBe(0);
  });

  it.each([
    ['LICENSE', 'missing LICENSE'],
    ['README.md', 'missing README.md'],
    ['dist/esm/node.mjs', 'missing dist/esm/node.mjs'],
    ['dist/cjs/client/index.d.ts', 'missing dist/cjs/client/index.d.ts'],
    [
      'dist/browser/THIRD-PARTY-NOTICES.txt',
      'missing dist/browser/THIRD-PARTY-NOTICES.txt beside the bundle dist/browser/client.min.mjs',
    ],
  ])('fails when %s is missing', (file, problem) => {
    const result = check(
      tarball(
        CLIENT_MANIFEST,
        CLIENT_FILES.filter((f) => f !== file),
      ),
    );
    expect(result.code).toBe(1);
    expect(result.output).toContain(`- ${problem}`);
  });

  it('fails when the bin, or the changelog the package lists, is missing, or the bin has no shebang', () => {
    const noBin = check(
      tarball(
        TOOL_MANIFEST,
        TOOL_FILES.filter((f) => f !== 'dist/cli.js'),
      ),
    );
    expect(noBin.code).toBe(1);
    expect(noBin.output).toContain('- missing dist/cli.js');
    const noChangelog = check(
      tarball(
        TOOL_MANIFEST,
        TOOL_FILES.filter((f) => f !== 'CHANGELOG.md'),
      ),
    );
    expect(noChangelog.output).toContain('- missing CHANGELOG.md');
    const noShebang = check(tarball(TOOL_MANIFEST, TOOL_FILES, { 'dist/cli.js': 'console.log(1);\n' }));
    expect(noShebang.code).toBe(1);
    expect(noShebang.output).toContain('- the bin dist/cli.js does not start with #!/usr/bin/env node');
  });

  it.each([
    ['dist/esm/index.mjs.map', 'a source map'],
    ['dist/cjs/client/index.test.js', 'a test file'],
    ['test/device-session.test.ts', 'a test folder'],
    ['dist/cjs/client/index.ts', 'TypeScript source'],
    ['tsconfig.build.json', 'a tsconfig file'],
    ['.env', 'an .env file'],
  ])('fails when it holds %s (%s)', (file, why) => {
    const result = check(tarball(CLIENT_MANIFEST, [...CLIENT_FILES, file]));
    expect(result.code).toBe(1);
    expect(result.output).toContain(`- must not ship ${file} (${why}`);
  });

  it('holds the library package to its handler bundles and the subscriber image context', () => {
    const manifest = {
      name: 'cdk-concurrency-tracker',
      version: '9.9.9',
      main: 'dist/index.js',
      types: 'dist/index.d.ts',
      files: ['dist', 'assets'],
    };
    const result = check(
      tarball(manifest, ['README.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts', 'assets/token-vending/index.js']),
    );
    expect(result.code).toBe(1);
    expect(result.output).toContain('- missing assets/entitlement/index.js');
    expect(result.output).toContain('- missing assets/heartbeat-subscriber/Dockerfile');
    expect(result.output).toContain(
      '- missing assets/token-vending/THIRD-PARTY-NOTICES.txt beside the bundle assets/token-vending/index.js',
    );
  });

  it('refuses something that is not an npm tarball', () => {
    const dir = join(work, 'not-npm');
    mkdirSync(join(dir, 'package'), { recursive: true });
    writeFileSync(join(dir, 'package', 'index.js'), '');
    execFileSync('tar', ['-czf', join(dir, 'x.tgz'), '-C', dir, 'package']);
    unlinkSync(join(dir, 'package', 'index.js'));
    expect(check(join(dir, 'x.tgz'))).toEqual({ code: 1, output: expect.stringContaining('package.json is missing') });
  });
});
