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
 * Folder of a handler bundle. The same relative path works from `lib/` (ts-jest) and from `dist/`
 * (the published package), because both sit beside `assets/`.
 */
export function assetPath(bundle: HandlerBundle): string {
  return path.join(__dirname, '..', 'assets', bundle);
}
