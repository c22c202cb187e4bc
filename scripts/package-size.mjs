// The size of the package as npm would publish it (`npm pack --dry-run --json`): packed (the
// tarball a consumer downloads) and unpacked (what lands in node_modules), with the share of the
// handler bundles in assets/. `npm run package-size`; bench/cold-start.ts runs it with --json and
// reports the same figures in docs/benchmarks.md.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** { packedBytes, unpackedBytes, files, assetsBytes } of `npm pack --dry-run` in the repository. */
export function packageSize() {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const [packed] = JSON.parse(
    execFileSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
  );
  const assetsBytes = packed.files.filter((f) => f.path.startsWith('assets/')).reduce((sum, f) => sum + f.size, 0);
  return { packedBytes: packed.size, unpackedBytes: packed.unpackedSize, files: packed.entryCount, assetsBytes };
}

const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const size = packageSize();
  if (process.argv.includes('--json')) console.log(JSON.stringify(size));
  else console.log(`package: ${mib(size.packedBytes)} packed, ${mib(size.unpackedBytes)} unpacked, ${size.files} files (assets/ ${mib(size.assetsBytes)} unpacked)`);
}
