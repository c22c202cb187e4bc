/**
 * The HTTP API base URL for a Momento disposable token. Such a token is base64 of
 * `{ "endpoint": "<cell>.momentohq.com", "api_key": "..." }`, and the HTTP API of that cell is
 * served at `https://api.cache.<endpoint>` (Momento's HTTP API reference). Returns undefined for a
 * token without an endpoint (a local emulator's): pass `baseUrl` to the transport then.
 */
export function httpBaseUrlFromToken(token: string): string | undefined {
  let decoded: unknown;
  try {
    const base64 = token.replace(/-/g, '+').replace(/_/g, '/');
    decoded = JSON.parse(atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, '=')));
  } catch {
    return undefined;
  }
  const endpoint = (decoded as { endpoint?: unknown } | null)?.endpoint;
  if (typeof endpoint !== 'string' || !/^[a-z0-9.-]+(:\d+)?$/i.test(endpoint)) return undefined;
  return `https://api.cache.${endpoint}`;
}
