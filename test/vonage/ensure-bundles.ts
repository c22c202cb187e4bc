import { existsSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';

const ROOT = path.join(__dirname, '..', '..');

/**
 * Construct tests synthesize `lambda.Code.fromAsset('assets/<name>')`, which `npm run bundle`
 * writes. When this suite runs on its own before any build, bundle just the Vonage handlers
 * (same esbuild options as scripts/bundle.mjs) so the asset folders exist.
 */
export function ensureVonageBundles(): void {
  for (const name of ['vonage-session-monitoring', 'vonage-tokens', 'vonage-duration-check']) {
    const outDir = path.join(ROOT, 'assets', name);
    if (existsSync(path.join(outDir, 'index.js'))) continue;
    mkdirSync(outDir, { recursive: true });
    buildSync({
      entryPoints: [path.join(ROOT, 'lambda', name, 'index.ts')],
      outfile: path.join(outDir, 'index.js'),
      bundle: true,
      platform: 'node',
      target: 'node22',
      format: 'cjs',
      minify: true,
      sourcemap: true,
      legalComments: 'none',
      logLevel: 'warning',
    });
  }
}
