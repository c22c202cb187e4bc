// Bundles the verification command (verify/cli.ts, the package's `cdk-concurrency-tracker-verify`
// bin) into dist/verify/cli.js with esbuild: the SigV4 signer, the AWS credential chain, zod and the
// device client's HTTP topics transport go inside, so the published package keeps no runtime
// dependencies. Beside it, THIRD-PARTY-NOTICES.txt lists the licences of what it bundles. No source
// map (the package ships none). Run by `npm run build` (as `npm run build:verify`);
// `node scripts/build-verify.mjs <dir>` writes the same files to <dir> instead (the command's test).
import { build } from 'esbuild';
import { chmodSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundledPackages, renderNotices } from './third-party-notices.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = process.argv[2] ? path.resolve(process.argv[2]) : path.join(root, 'dist', 'verify');
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

const result = await build({
  entryPoints: [path.join(root, 'verify', 'cli.ts')],
  outfile: path.join(outDir, 'cli.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  keepNames: true,
  banner: { js: '#!/usr/bin/env node' },
  legalComments: 'none',
  metafile: true,
  absWorkingDir: root,
  logLevel: 'warning',
});
const packages = bundledPackages(result.metafile, root);
writeFileSync(path.join(outDir, 'THIRD-PARTY-NOTICES.txt'), renderNotices('verify', packages, { file: 'cli.js' }));
chmodSync(path.join(outDir, 'cli.js'), 0o755);
const size = statSync(path.join(outDir, 'cli.js')).size;
console.log(
  `build-verify: ${path.relative(root, path.join(outDir, 'cli.js'))} ${(size / 1024).toFixed(1)} KiB, THIRD-PARTY-NOTICES.txt (${packages.length} packages)`,
);
