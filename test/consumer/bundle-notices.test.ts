import { build } from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';

// Every bundle in assets/ ships THIRD-PARTY-NOTICES.txt, and it lists every package esbuild puts
// into that bundle (found here by bundling the handler again, independently of scripts/bundle.mjs)
// with the licence text the package ships.

const repo = path.resolve(__dirname, '..', '..');
const assets = path.join(repo, 'assets');
const handlers = fs
  .readdirSync(path.join(repo, 'lambda'))
  .filter((name) => fs.existsSync(path.join(repo, 'lambda', name, 'index.ts')));

/** name@version of every node_modules package whose code esbuild puts into the handler's bundle. */
async function bundledPackages(handler: string): Promise<string[]> {
  const result = await build({
    entryPoints: [path.join(repo, 'lambda', handler, 'index.ts')],
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    // As scripts/bundle.mjs resolves packages: ES module builds first (other files, other packages).
    mainFields: ['module', 'main'],
    // Required by grpc-js only for a channelz server, which no handler is (scripts/bundle.mjs).
    external: ['@grpc/proto-loader'],
    write: false,
    outfile: 'out.js',
    minify: true,
    metafile: true,
    logLevel: 'silent',
  });
  const found = new Set<string>();
  // The files whose code is in the output (a package imported but shaken out entirely is not).
  const inOutput = Object.values(result.metafile.outputs).flatMap((o) =>
    Object.entries(o.inputs)
      .filter(([, i]) => i.bytesInOutput > 0)
      .map(([file]) => file),
  );
  for (const input of inOutput) {
    // The innermost node_modules/<name> or node_modules/@scope/<name> is the package (nested
    // copies are other versions of it).
    const at = input.lastIndexOf('node_modules/');
    if (at < 0) continue;
    const rest = input.slice(at + 'node_modules/'.length).split('/');
    const dir = input.slice(0, at) + 'node_modules/' + rest.slice(0, rest[0]!.startsWith('@') ? 2 : 1).join('/');
    const manifest = JSON.parse(fs.readFileSync(path.join(repo, dir, 'package.json'), 'utf8')) as {
      name: string;
      version: string;
    };
    found.add(`${manifest.name}@${manifest.version}`);
  }
  return [...found].sort();
}

describe('third-party notices of the bundles', () => {
  test('there are bundles to check', () => {
    expect(handlers.length).toBeGreaterThanOrEqual(4);
    for (const handler of handlers) expect(fs.existsSync(path.join(assets, handler, 'index.js'))).toBe(true);
  });

  test.each(handlers)(
    '%s: THIRD-PARTY-NOTICES.txt lists every bundled package with its licence text',
    async (handler) => {
      const notices = fs.readFileSync(path.join(assets, handler, 'THIRD-PARTY-NOTICES.txt'), 'utf8');
      const packages = await bundledPackages(handler);
      expect(packages.length).toBeGreaterThan(0);
      const listed = [...notices.matchAll(/^- (\S+@[^\s]+) \(/gm)].map((m) => m[1]);
      expect(listed.sort()).toEqual(packages);
      // Each package has its own section; one that ships a licence file has its text in it.
      const sections = notices.split(/^-{78}$/m).slice(1);
      expect(sections).toHaveLength(packages.length);
      for (const section of sections) {
        expect(section).toMatch(/^Licence: \S/m);
        expect(section).toMatch(
          /(LICEN[CS]E|licen[cs]e|COPYING|NOTICE)[^\n]*:\n\n\s*\S|ships no licence file; its package\.json declares \S/,
        );
      }
      // The MIT and Apache texts of the packages that ship them are really there.
      if (packages.some((p) => p.startsWith('@aws-sdk/'))) expect(notices).toMatch(/Apache License\s+Version 2\.0/);
    },
  );

  test.each(handlers)('%s: no source map in the asset folder (they go to sourcemaps/ unless asked for)', (handler) => {
    expect(fs.readdirSync(path.join(assets, handler)).filter((f) => f.endsWith('.map'))).toEqual([]);
  });
});
