// Bundles every handler folder lambda/<name>/index.ts (all but core/, and vonage/, which has no
// index.ts: both are shared code) into assets/<name>/index.js,
// so the published package carries ready-to-deploy code and a consumer needs neither esbuild nor
// Docker to synthesize. A Dockerfile beside a handler is copied along (the Fargate image's context).
// `node scripts/bundle.mjs <name>...` bundles only the named handlers (bin/ensure-bundles.ts uses it).
// Beside each bundle goes THIRD-PARTY-NOTICES.txt: the licences of every package bundled into it.
// Source maps stay out of assets/ (they were most of the package and went into every Lambda zip):
// they are written to sourcemaps/<name>/ for decoding a stack trace offline, unless
// BUNDLE_SOURCEMAPS=assets asks for them beside the bundle (a deployment from a clone that wants
// --enable-source-maps to resolve its traces). esbuild's metafile goes to sourcemaps/<name>/metafile.json
// (`node scripts/bundle-contents.mjs <name>` lists the bytes per package). See docs/architecture.md, "Bundles".
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundledPackages, renderNotices } from './third-party-notices.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const lambdaDir = path.join(root, 'lambda');
const assetsDir = path.join(root, 'assets');
const sourceMapsDir = path.join(root, 'sourcemaps');
const NOTICES_FILE = 'THIRD-PARTY-NOTICES.txt';
const METAFILE = 'metafile.json';

const sourceMapsMode = process.env.BUNDLE_SOURCEMAPS ?? 'outside';
if (!['outside', 'assets'].includes(sourceMapsMode)) {
  throw new Error(
    `bundle: BUNDLE_SOURCEMAPS is '${sourceMapsMode}'; use 'assets' (maps beside the bundles) or leave it unset`,
  );
}

// core/ is the shared engine imported by the handlers, not a handler of its own.
const notHandlers = new Set(['core']);

function handlerFolders() {
  if (!existsSync(lambdaDir)) return [];
  return readdirSync(lambdaDir)
    .filter((name) => !notHandlers.has(name))
    .filter((name) => statSync(path.join(lambdaDir, name)).isDirectory())
    .sort();
}

function requestedFolders() {
  const all = handlerFolders();
  const named = process.argv.slice(2);
  if (named.length === 0) return all;
  const unknown = named.filter((name) => !all.includes(name));
  if (unknown.length > 0)
    throw new Error(`bundle: no handler folder lambda/${unknown.join(', lambda/')} (handlers: ${all.join(', ')})`);
  return named;
}

function kib(bytes) {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

const built = [];
for (const name of requestedFolders()) {
  const entry = path.join(lambdaDir, name, 'index.ts');
  if (!existsSync(entry)) {
    console.log(`bundle: lambda/${name}/ has no index.ts: shared code, not a handler`);
    continue;
  }
  const outDir = path.join(assetsDir, name);
  // A clean folder per bundle: stale files would change the asset hash for no reason.
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const result = await build({
    entryPoints: [entry],
    outfile: path.join(outDir, 'index.js'),
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    // A package's ES module build before its CommonJS one: esbuild can drop the unused exports of an
    // ES module only. The AWS SDK clients ship both and point `main` at dist-cjs (one file holding every
    // command; docs/architecture.md, "Bundles", has the figures). Packages with an
    // `exports` map are resolved by it either way; the CommonJS-only ones (Momento, gRPC) are unchanged.
    mainFields: ['module', 'main'],
    minify: true,
    // Function and class names survive minification, so a stack trace without a map still names
    // the code it passed through.
    keepNames: true,
    // 'linked' adds the sourceMappingURL comment --enable-source-maps follows; 'external' does not.
    sourcemap: sourceMapsMode === 'assets' ? 'linked' : 'external',
    // Maps without embedded sources: stack traces still resolve to file:line, at a fraction of the size.
    sourcesContent: false,
    // Everything, @aws-sdk/* included, goes in the bundle so it never depends on the SDK version
    // that happens to ship with the Lambda runtime. One exception, which no handler can call:
    // @grpc/grpc-js requires @grpc/proto-loader (and with it protobufjs, long, lodash.camelcase) only
    // inside getChannelzServiceDefinition(), for a gRPC *server* that adds the channelz admin service.
    // The Momento SDK is a client and never does; in a bundle that call could not work anyway (it
    // reads channelz.proto from grpc-js's own folder). Leaving it out saves about 140 KiB per bundle.
    external: ['@grpc/proto-loader'],
    // The licence comments are dropped from the code because NOTICES_FILE carries each bundled
    // package's complete licence and NOTICE files, built from the metafile below.
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });
  const packages = bundledPackages(result.metafile, root);
  writeFileSync(path.join(outDir, NOTICES_FILE), renderNotices(name, packages));
  const mapDir = path.join(sourceMapsDir, name);
  rmSync(mapDir, { recursive: true, force: true });
  mkdirSync(mapDir, { recursive: true });
  if (sourceMapsMode === 'outside') renameSync(path.join(outDir, 'index.js.map'), path.join(mapDir, 'index.js.map'));
  // What is in the bundle, for scripts/bundle-contents.mjs (bytes per package); outside the package.
  writeFileSync(path.join(mapDir, METAFILE), JSON.stringify(result.metafile));
  const dockerfile = path.join(lambdaDir, name, 'Dockerfile');
  if (existsSync(dockerfile)) copyFileSync(dockerfile, path.join(outDir, 'Dockerfile'));
  const size = statSync(path.join(outDir, 'index.js')).size;
  built.push(name);
  console.log(
    `bundle: assets/${name}/index.js ${kib(size)}, ${NOTICES_FILE} (${packages.length} packages)${existsSync(dockerfile) ? ' + Dockerfile' : ''}`,
  );
}
console.log(`bundle: ${built.length} handler bundle(s) written`);
