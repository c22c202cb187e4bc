import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';

/**
 * What keeps a web page on another site away from the playground's API. The playground runs
 * in IAM mode (any caller may act for any account), so a page elsewhere must not reach it:
 *
 * - **Host**: only loopback names and the address the server is bound to (every local interface
 *   when bound to a wildcard). A DNS-rebinding page reaches the server under its own host name,
 *   which is refused, so it can neither read nor write.
 * - **Origin**: a request that changes something and carries an `Origin` must come from this very
 *   origin (`http://<Host>`); a browser sends `Origin` with every cross-origin POST and DELETE.
 *   Callers without one (curl, the Node device runner) are not browsers and pass.
 * - **Content type**: routes that read a JSON body take only `application/json`, so a
 *   `text/plain` form or fetch, which a browser sends without a preflight, is refused.
 */
export interface RequestRefusal {
  readonly status: 403 | 415;
  readonly code: 'forbidden-host' | 'forbidden-origin' | 'unsupported-media-type';
  readonly message: string;
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];
const WILDCARDS = ['0.0.0.0', '::'];
const SAFE_METHODS = ['GET', 'HEAD', 'OPTIONS'];

/** Host and Origin of any request, against the address the server is bound to. */
export function checkHostAndOrigin(req: IncomingMessage, bound: AddressInfo | string | null): RequestRefusal | null {
  const host = req.headers.host;
  const hostname = host === undefined ? undefined : hostnameOf(host);
  if (hostname === undefined || !allowedHostnames(bound).has(hostname)) {
    return {
      status: 403,
      code: 'forbidden-host',
      message: `the playground answers only to localhost or its bound address, not to Host "${host ?? ''}"`,
    };
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !SAFE_METHODS.includes(req.method ?? 'GET') && origin !== `http://${host}`) {
    return {
      status: 403,
      code: 'forbidden-origin',
      message: `requests that change something are accepted only from http://${host}, not from "${origin}"`,
    };
  }
  return null;
}

/** A route that reads a JSON body: the body must be sent as `application/json`. */
export function checkJsonContentType(req: IncomingMessage): RequestRefusal | null {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') return null;
  return {
    status: 415,
    code: 'unsupported-media-type',
    message: `send the body as application/json (got "${type || 'no content type'}")`,
  };
}

function hostnameOf(host: string): string | undefined {
  try {
    return new URL(`http://${host}`).hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  } catch {
    return undefined;
  }
}

function allowedHostnames(bound: AddressInfo | string | null): Set<string> {
  const names = new Set(LOOPBACK_NAMES);
  if (bound === null || typeof bound === 'string') return names;
  names.add(bound.address.toLowerCase());
  if (WILDCARDS.includes(bound.address)) {
    for (const addresses of Object.values(networkInterfaces())) {
      for (const address of addresses ?? []) names.add(address.address.toLowerCase());
    }
  }
  return names;
}
