import { randomUUID } from 'node:crypto';

// uuid 13 ships ESM only, which Jest's CommonJS runtime cannot load; @vonage/server-client uses
// only v4 (the `jti` of its REST JWTs). jest.config.js maps `uuid` here. The bundled Lambda is
// unaffected: esbuild bundles the real package.
export function v4(): string {
  return randomUUID();
}
