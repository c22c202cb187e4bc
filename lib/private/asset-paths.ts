import * as fs from 'node:fs';
import * as path from 'node:path';

/** The handler bundles that `npm run bundle` writes into `assets/<name>/`, one per `lambda/<name>/index.ts`. */
export const HANDLER_BUNDLES = [
  'token-vending',
  'entitlement',
  'heartbeat-subscriber',
  'jwt-authorizer',
  'vonage-session-monitoring',
  'vonage-tokens',
  'vonage-duration-check',
] as const;

/** One of the handler bundles under `assets/`. */
export type HandlerBundle = (typeof HANDLER_BUNDLES)[number];

/**
 * The package root: the nearest folder above this file with the package's `package.json`. This
 * file runs from `lib/private/` (ts-jest, ts-node) and from `dist/lib/private/` (the published
 * package, compiled by jsii with `rootDir` `.`), so the number of `..` differs; `assets/` sits
 * beside `package.json` in both.
 */
function packageRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (
      fs.existsSync(manifest) &&
      (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === 'cdk-concurrency-tracker'
    ) {
      return dir;
    }
    if (path.dirname(dir) === dir) throw new Error(`cdk-concurrency-tracker: no package.json above ${__dirname}`);
  }
}

/** Folder of a handler bundle. */
export function assetPath(bundle: HandlerBundle): string {
  return path.join(packageRoot(), 'assets', bundle);
}
