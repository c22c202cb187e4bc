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
 * The package's root, where `assets/` is: one folder up from `lib/` (ts-jest, ts-node), two from
 * `dist/lib/` (the published package, compiled with the shared `contract/` beside it).
 */
const PACKAGE_ROOT = path.basename(path.dirname(__dirname)) === 'dist' ? path.join(__dirname, '..', '..') : path.join(__dirname, '..');

/** Folder of a handler bundle. */
export function assetPath(bundle: HandlerBundle): string {
  return path.join(PACKAGE_ROOT, 'assets', bundle);
}
