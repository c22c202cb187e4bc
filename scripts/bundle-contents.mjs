// What a handler bundle is made of: the bytes each package contributes to assets/<name>/index.js,
// from the esbuild metafile scripts/bundle.mjs writes to sourcemaps/<name>/metafile.json.
// `node scripts/bundle-contents.mjs token-vending entitlement` (after `npm run bundle`).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageDirOf } from './third-party-notices.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const names = process.argv.slice(2);
if (names.length === 0) throw new Error('bundle-contents: name the handler bundles, e.g. token-vending');
for (const name of names) {
  const file = path.join(root, 'sourcemaps', name, 'metafile.json');
  if (!existsSync(file)) throw new Error(`bundle-contents: ${file} is missing: run npm run bundle -- ${name}`);
  const metafile = JSON.parse(readFileSync(file, 'utf8'));
  const output = Object.values(metafile.outputs).find((o) => o.entryPoint);
  const bytes = new Map();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const dir = packageDirOf(input);
    const key = dir ? dir.slice(dir.lastIndexOf('node_modules/') + 'node_modules/'.length) : '(this project)';
    bytes.set(key, (bytes.get(key) ?? 0) + bytesInOutput);
  }
  console.log(`assets/${name}/index.js: ${(output.bytes / 1024).toFixed(0)} KiB`);
  for (const [key, size] of [...bytes].sort((a, b) => b[1] - a[1])) {
    console.log(`${(size / 1024).toFixed(1).padStart(9)} KiB  ${key}`);
  }
}
