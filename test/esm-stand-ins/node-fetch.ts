// node-fetch 3 ships ESM only, which Jest's CommonJS runtime cannot load; @vonage/server-client
// uses only its default export. jest.config.js maps `node-fetch` here, to Node's global WHATWG
// fetch, so the SDK's own code still builds and sends every request. The bundled Lambda is
// unaffected: esbuild bundles the real package.
export default function nodeFetch(...args: Parameters<typeof fetch>): ReturnType<typeof fetch> {
  return fetch(...args);
}
