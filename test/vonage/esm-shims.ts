/**
 * Two dependencies of `@vonage/server-client` ship ESM only (uuid 13 for the `jti` of REST JWTs,
 * node-fetch 3 for HTTP), which Jest's CommonJS runtime cannot load. Import this module first:
 * it maps both to Node's built-ins (crypto.randomUUID, the global WHATWG fetch), so the SDK's own
 * code still builds and sends every request. The bundled Lambda is unaffected: esbuild bundles both.
 */
jest.mock('uuid', () => ({ v4: () => jest.requireActual<typeof import('node:crypto')>('node:crypto').randomUUID() }));
jest.mock('node-fetch', () => ({ __esModule: true, default: (...args: Parameters<typeof fetch>) => fetch(...args) }));

export {};
