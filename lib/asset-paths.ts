import * as path from 'node:path';

/** The handler bundles that `npm run bundle` writes into `assets/<name>/`. */
export type HandlerBundle = 'token-vending' | 'entitlement' | 'heartbeat-subscriber' | 'jwt-authorizer';

/**
 * Folder of a handler bundle. The same relative path works from `lib/` (ts-jest) and from `dist/`
 * (the published package), because both sit beside `assets/`.
 */
export function assetPath(bundle: HandlerBundle): string {
  return path.join(__dirname, '..', 'assets', bundle);
}
