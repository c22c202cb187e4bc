// Builds the installable device client, packages/client (npm package cdk-concurrency-tracker-client),
// from the sources in client/. Its entries: client/index.ts (browser-safe: the HTTP topics transport,
// fetch only), client/node.ts (adds the @gomomento/sdk transport), client/testing.ts (the
// FakeDeviceSession test double), client/react.ts (the useTrackedSession hook; react an optional
// peer) and client/videojs.ts (the video.js binding; imports nothing of video.js). Three builds:
//   dist/esm/      ES modules by esbuild, one .mjs per entry sharing chunks (one DeviceSession
//                  class whichever entry it is imported from); zod, react and @gomomento/sdk stay imports.
//   dist/cjs/      CommonJS and the .d.ts declarations by tsc (tsconfig.client.json), one file per
//                  source file, so both entries share their modules here too.
//   dist/browser/  client.min.mjs: client/index.ts with zod inside, minified, for a page without a
//                  bundler, with THIRD-PARTY-NOTICES.txt for what it bundles.
// The build fails if @gomomento/sdk or gRPC is reachable from the browser entry. Run by
// `npm run build` (as `npm run build:client`) and by the package's prepack. See docs/architecture.md,
// "The device client package".
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { bundledPackages, renderNotices } from './third-party-notices.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const packageDir = path.join(root, 'packages', 'client');
const dist = path.join(packageDir, 'dist');
const entryNames = ['index', 'node', 'testing', 'react', 'videojs'];
const entries = Object.fromEntries(entryNames.map((name) => [name, path.join(root, 'client', `${name}.ts`)]));
const { name: packageName } = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8'));

/** Inputs of a metafile that belong to the Momento SDK or gRPC: none may reach a browser build. */
const grpcInputs = (metafile) => Object.keys(metafile.inputs).filter((input) => /@gomomento|@grpc|grpc-js/.test(input));

rmSync(dist, { recursive: true, force: true });

// ES modules. `packages: 'external'` leaves every package import (zod, @gomomento/sdk) to the app's
// resolver, so an app with its own zod does not carry two copies.
const esm = await build({
  entryPoints: entries,
  outdir: path.join(dist, 'esm'),
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2020',
  packages: 'external',
  legalComments: 'none',
  metafile: true,
  absWorkingDir: root,
  logLevel: 'warning',
});
// What a browser-safe entry loads (itself, its chunks, and theirs) may import zod (and react, for
// the React entry) but never the SDK.
const outputs = esm.metafile.outputs;
for (const entry of ['index', 'testing', 'react', 'videojs']) {
  const entryFile = Object.keys(outputs).find((file) => outputs[file].entryPoint === `client/${entry}.ts`);
  const loaded = new Set([entryFile]);
  const externals = new Set();
  for (const file of loaded) {
    for (const { path: imported, external } of outputs[file].imports) {
      if (external) externals.add(imported);
      else loaded.add(imported);
    }
  }
  const sdkImports = [...externals].filter((name) => /@gomomento|@grpc/.test(name));
  if (sdkImports.length > 0)
    throw new Error(`build-client: the browser-safe entry ${entryFile} imports ${sdkImports.join(', ')}`);
}

// CommonJS and declarations: tsc keeps the module structure, so the entries share every module
// (one DeviceSession, one TopicTransportError).
execFileSync(
  process.execPath,
  [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(root, 'tsconfig.client.json')],
  {
    cwd: root,
    stdio: 'inherit',
  },
);

// The standalone browser module: everything but the SDK inside, for a <script type="module">.
const browserFile = path.join(dist, 'browser', 'client.min.mjs');
const browser = await build({
  entryPoints: [entries.index],
  outfile: browserFile,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2020',
  minify: true,
  legalComments: 'none',
  metafile: true,
  absWorkingDir: root,
  logLevel: 'warning',
});
if (grpcInputs(browser.metafile).length > 0)
  throw new Error(`build-client: the browser build contains ${grpcInputs(browser.metafile).join(', ')}`);
writeFileSync(
  path.join(dist, 'browser', 'THIRD-PARTY-NOTICES.txt'),
  renderNotices('browser', bundledPackages(browser.metafile, root), { file: 'client.min.mjs', product: packageName }),
);

copyFileSync(path.join(root, 'LICENSE'), path.join(packageDir, 'LICENSE'));

/** Total bytes of the files under a folder. */
function folderBytes(dir) {
  return readdirSync(dir, { recursive: true })
    .map((f) => path.join(dir, f))
    .filter((f) => statSync(f).isFile())
    .reduce((sum, f) => sum + statSync(f).size, 0);
}
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
const browserBytes = readFileSync(browserFile);
console.log(
  `build-client: ${path.relative(root, dist)}: esm ${kib(folderBytes(path.join(dist, 'esm')))}, cjs+d.ts ${kib(folderBytes(path.join(dist, 'cjs')))}, ` +
    `browser/client.min.mjs ${kib(browserBytes.length)} (${kib(gzipSync(browserBytes).length)} gzip)`,
);
