import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { HANDLER_BUNDLES, assetPath, type HandlerBundle } from '../lib/private/asset-paths';

const ROOT = path.join(__dirname, '..');

/**
 * On a fresh clone `assets/` does not exist yet (it is built, not committed), so the example app
 * and the construct tests bundle the missing handlers before synthesizing. The published package
 * ships the bundles, so a consumer's app never needs this.
 */
export function ensureBundles(bundles: readonly HandlerBundle[] = HANDLER_BUNDLES): void {
  const missing = bundles.filter((name) => !existsSync(path.join(assetPath(name), 'index.js')));
  if (missing.length === 0) return;
  // stderr: the CDK CLI shows it, and stdout stays free for the app.
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'bundle.mjs'), ...missing], { stdio: ['ignore', 2, 2] });
}
