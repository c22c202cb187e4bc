import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..');
const REQUIRED = ['token-vending', 'entitlement', 'heartbeat-subscriber', 'jwt-authorizer'];

/**
 * On a fresh clone `assets/` does not exist yet (it is built, not committed), so the example app
 * runs the bundling step once before synthesizing. The published package ships the bundles, so a
 * consumer's app never needs this.
 */
export function ensureBundles(): void {
  if (REQUIRED.every((name) => existsSync(path.join(ROOT, 'assets', name, 'index.js')))) return;
  // stderr: the CDK CLI shows it, and stdout stays free for the app.
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'bundle.mjs')], { stdio: ['ignore', 2, 2] });
}
