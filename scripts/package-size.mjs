// The size of the packages as npm would publish them (`npm pack --dry-run --json`): packed (the
// tarball a consumer downloads) and unpacked (what lands in node_modules). For the construct
// package, with the share of the handler bundles in assets/; for the device client package
// (packages/client, built by `npm run build:client`), with its standalone browser module.
// `npm run package-size`; bench/cold-start.ts runs it with --json (the construct package only) and
// reports the same figures in docs/benchmarks.md.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** `npm pack --dry-run` of the root package, or of a workspace; without running prepack. */
function dryPack(workspaceArgs) {
  const [packed] = JSON.parse(
    execFileSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts', ...workspaceArgs], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }),
  );
  return packed;
}

/** { packedBytes, unpackedBytes, files, assetsBytes } of `npm pack --dry-run` in the repository. */
export function packageSize() {
  const packed = dryPack([]);
  const assetsBytes = packed.files.filter((f) => f.path.startsWith('assets/')).reduce((sum, f) => sum + f.size, 0);
  return { packedBytes: packed.size, unpackedBytes: packed.unpackedSize, files: packed.entryCount, assetsBytes };
}

/** { name, packedBytes, unpackedBytes, files, browserBytes, browserGzipBytes } of the device client package as built. */
export function clientPackageSize() {
  const browserFile = path.join(root, 'packages', 'client', 'dist', 'browser', 'client.min.mjs');
  if (!existsSync(browserFile))
    throw new Error('package-size: packages/client is not built; run `npm run build:client` first');
  const packed = dryPack(['--workspace', 'packages/client']);
  const browser = readFileSync(browserFile);
  return {
    name: packed.name,
    packedBytes: packed.size,
    unpackedBytes: packed.unpackedSize,
    files: packed.entryCount,
    browserBytes: browser.length,
    browserGzipBytes: gzipSync(browser).length,
  };
}

const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const size = packageSize();
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(size));
  } else {
    console.log(
      `package: ${mib(size.packedBytes)} packed, ${mib(size.unpackedBytes)} unpacked, ${size.files} files (assets/ ${mib(size.assetsBytes)} unpacked)`,
    );
    const client = clientPackageSize();
    console.log(
      `${client.name}: ${kib(client.packedBytes)} packed, ${kib(client.unpackedBytes)} unpacked, ${client.files} files ` +
        `(browser/client.min.mjs ${kib(client.browserBytes)}, ${kib(client.browserGzipBytes)} gzip)`,
    );
  }
}
