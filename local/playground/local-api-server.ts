import { readFile } from 'node:fs/promises';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { z } from 'zod';
import { accountIdSchema, deviceIdSchema } from '../../lambda/core/messages/identifiers';
import { fromApiGatewayResult, toApiGatewayEvent, type LocalRequest } from './api-gateway-event';
import { checkHostAndOrigin, checkJsonContentType, type RequestRefusal } from './browser-request-checks';
import type { DashboardFeed } from './dashboard-feed';
import { DeviceControlError, type DeviceState, type SimulatedDevices } from './simulated-devices';
import { describeIssues } from '../../lambda/core/schema-issues';

/** A handler with API Gateway's proxy signature. */
export type ProxyHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

/** The four routes of the construct's REST API, served by the handlers' own code. */
export interface ApiRoutes {
  /** `POST /tokens` */
  readonly createToken: ProxyHandler;
  /** `GET /accounts/{accountId}/sessions` */
  readonly listSessions: ProxyHandler;
  /** `GET /accounts/{accountId}/sessions/{sessionId}` (the session check) */
  readonly checkSession: ProxyHandler;
  /** `DELETE /accounts/{accountId}/sessions/{sessionId}` */
  readonly endSession: ProxyHandler;
}

export interface LocalApiServerOptions {
  readonly api: ApiRoutes;
  readonly devices: SimulatedDevices;
  readonly feed: DashboardFeed;
  /** The whole dashboard state, for `GET /playground/state`. */
  readonly snapshot: () => unknown;
  /** The browser build of `client/`, served as `/client.js`. */
  readonly browserClient: () => Promise<string>;
  /** The emulator's HTTP topics API, proxied under `/topics/` so device pages stay same-origin. */
  readonly topicsApi?: { readonly hostname: string; readonly port: number };
  /** Called with every account id a request names, so the dashboard can show it. */
  readonly onAccountSeen?: (accountId: string) => void;
  readonly publicDir?: string;
  /** What a player team rehearses against: a `limit-changed` message, and Momento going away. */
  readonly rehearsal?: {
    /** Sends `limit-changed` to the account's active sessions; resolves to their ids. */
    limitChanged(accountId: string): Promise<string[]>;
    /** Makes Momento unreachable (every connection reset) for `seconds`. */
    momentoOutage(seconds: number): void;
  };
}

/** Request bodies larger than this are refused (API Gateway's own limit is far higher, but no route needs more). */
const MAX_BODY_BYTES = 64 * 1024;

const STATIC_FILES: Record<string, { file: string; type: string }> = {
  '/dashboard.html': { file: 'dashboard.html', type: 'text/html; charset=utf-8' },
  '/device.html': { file: 'device.html', type: 'text/html; charset=utf-8' },
  '/dashboard.js': { file: 'dashboard.js', type: 'text/javascript; charset=utf-8' },
  '/device.js': { file: 'device.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};

// The engine's own schemas, so a control request never reaches it malformed.
const accountId = accountIdSchema;
const deviceId = deviceIdSchema;
const startDeviceBody = z.object({ accountId, deviceId: deviceId.optional() }).strict();
const outageBody = z.object({ seconds: z.number().int().min(1).max(600) }).strict();
const DEVICE_STATES = [
  'starting',
  'active',
  'refused',
  'stopped',
  'crashed',
  'evicted',
  'expired',
  'error',
] as const satisfies readonly DeviceState[];
const browserReportBody = z
  .object({
    accountId,
    deviceId,
    state: z.enum(DEVICE_STATES),
    detail: z.string().max(300).optional(),
    sessionId: z.string().max(128).optional(),
  })
  .strict();

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The playground's one HTTP server: the construct's four API routes (through the handlers, in
 * IAM mode), the dashboard and device pages, their event feed and device controls, and a proxy to
 * the emulator's HTTP topics API.
 */
export function createLocalApiServer(options: LocalApiServerOptions): Server {
  const publicDir = options.publicDir ?? join(__dirname, 'public');
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof HttpError) return sendJson(res, error.status, { error: error.code, message: error.message });
      if (error instanceof DeviceControlError)
        return sendJson(res, error.status, { error: error.code, message: error.message });
      console.error('playground: request failed', error);
      sendJson(res, 500, {
        error: 'internal',
        message: 'the playground failed to handle this request; see its console',
      });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://playground.local');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    refuseIf(checkHostAndOrigin(req, server.address()));

    if (path.startsWith('/topics/') && options.topicsApi) return proxyTopics(req, res, options.topicsApi);

    // The construct's REST API.
    if (path === '/tokens') {
      if (method !== 'POST') throw methodNotAllowed(method, path, 'POST');
      refuseIf(checkJsonContentType(req));
      return callApi(options.api.createToken, req, res, url, '/tokens', {});
    }
    const sessions = /^\/accounts\/([^/]+)\/sessions$/.exec(path);
    if (sessions) {
      if (method !== 'GET') throw methodNotAllowed(method, path, 'GET');
      return callApi(options.api.listSessions, req, res, url, '/accounts/{accountId}/sessions', {
        accountId: decode(sessions[1]),
      });
    }
    const session = /^\/accounts\/([^/]+)\/sessions\/([^/]+)$/.exec(path);
    if (session) {
      if (method !== 'GET' && method !== 'DELETE') throw methodNotAllowed(method, path, 'GET, DELETE');
      return callApi(
        method === 'GET' ? options.api.checkSession : options.api.endSession,
        req,
        res,
        url,
        '/accounts/{accountId}/sessions/{sessionId}',
        {
          accountId: decode(session[1]),
          sessionId: decode(session[2]),
        },
      );
    }

    // Pages.
    if (path === '/' && method === 'GET') {
      res.writeHead(302, { location: '/dashboard.html' });
      res.end();
      return;
    }
    const file = STATIC_FILES[path];
    if (file && method === 'GET') {
      const body = await readFile(join(publicDir, file.file));
      res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-cache' });
      res.end(body);
      return;
    }
    if (path === '/client.js' && method === 'GET') {
      const body = await options.browserClient();
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' });
      res.end(body);
      return;
    }

    // The dashboard's feed and controls.
    if (path === '/playground/feed' && method === 'GET') return options.feed.attach(req, res);
    if (path === '/playground/state' && method === 'GET') return sendJson(res, 200, options.snapshot());
    if (path === '/playground/devices') {
      if (method === 'GET') return sendJson(res, 200, options.devices.list());
      if (method !== 'POST') throw methodNotAllowed(method, path, 'GET, POST');
      refuseIf(checkJsonContentType(req));
      const body = parseBody(startDeviceBody, await readBody(req));
      options.onAccountSeen?.(body.accountId);
      return sendJson(res, 201, options.devices.start(body.accountId, body.deviceId));
    }
    if (path === '/playground/browser-devices') {
      if (method !== 'POST') throw methodNotAllowed(method, path, 'POST');
      refuseIf(checkJsonContentType(req));
      const body = parseBody(browserReportBody, await readBody(req));
      options.onAccountSeen?.(body.accountId);
      return sendJson(
        res,
        200,
        options.devices.report(body.accountId, body.deviceId, body.state, body.detail, body.sessionId),
      );
    }
    const limitChanged = /^\/playground\/accounts\/([^/]+)\/limit-changed$/.exec(path);
    if (limitChanged && options.rehearsal) {
      if (method !== 'POST') throw methodNotAllowed(method, path, 'POST');
      const id = parseValue(accountId, decode(limitChanged[1]));
      return sendJson(res, 200, { accountId: id, told: await options.rehearsal.limitChanged(id) });
    }
    if (path === '/playground/momento-outage' && options.rehearsal) {
      if (method !== 'POST') throw methodNotAllowed(method, path, 'POST');
      refuseIf(checkJsonContentType(req));
      const { seconds } = parseBody(outageBody, await readBody(req));
      options.rehearsal.momentoOutage(seconds);
      return sendJson(res, 202, { seconds });
    }
    const control = /^\/playground\/devices\/([^/]+)(?:\/(start|stop|crash))?$/.exec(path);
    if (control) {
      const id = parseValue(deviceId, decode(control[1]));
      const action = control[2];
      if (action === undefined) {
        if (method !== 'DELETE') throw methodNotAllowed(method, path, 'DELETE');
        options.devices.remove(id);
        res.writeHead(204);
        res.end();
        return;
      }
      if (method !== 'POST') throw methodNotAllowed(method, path, 'POST');
      if (action === 'start') return sendJson(res, 200, options.devices.startAgain(id));
      if (action === 'stop') return sendJson(res, 200, await options.devices.stop(id));
      return sendJson(res, 200, await options.devices.crash(id));
    }
    throw new HttpError(404, 'not-found', `no route ${method} ${path}`);
  }

  async function callApi(
    handler: ProxyHandler,
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    resource: string,
    pathParameters: Record<string, string>,
  ): Promise<void> {
    const body = await readBody(req);
    const request: LocalRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      resource,
      pathParameters,
      query: url.searchParams,
      headers: req.headers,
      body,
    };
    noteAccount(pathParameters.accountId ?? accountFromBody(body));
    const result = fromApiGatewayResult(await handler(toApiGatewayEvent(request)));
    res.writeHead(result.status, result.headers);
    res.end(result.body);
  }

  function noteAccount(candidate: string | undefined): void {
    if (candidate !== undefined && accountId.safeParse(candidate).success) options.onAccountSeen?.(candidate);
  }

  return server;
}

/** Listens and resolves with the bound address (the real port when asked for port 0). */
export async function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server.address() as AddressInfo;
}

/** Closes the server and every open connection (SSE streams, keep-alive sockets, long polls). */
export async function closeServer(server: Server): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
}

function proxyTopics(req: IncomingMessage, res: ServerResponse, target: { hostname: string; port: number }): void {
  const upstream = httpRequest(
    {
      hostname: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, host: `${target.hostname}:${target.port}` },
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', (error) => {
    if (!res.headersSent)
      sendJson(res, 502, {
        error: 'emulator-unreachable',
        message: `the emulator's HTTP API did not answer: ${error.message}`,
      });
    else res.destroy();
  });
  // A device page that goes away ends its long poll upstream too.
  res.on('close', () => upstream.destroy());
  req.pipe(upstream);
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        // Answer 413 and discard the rest, rather than cutting the connection before the answer.
        req.removeAllListeners('data');
        req.resume();
        reject(new HttpError(413, 'too-large', `request bodies are limited to ${MAX_BODY_BYTES} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 0 ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseBody<T>(schema: z.ZodType<T>, text: string | undefined): T {
  if (text === undefined) throw new HttpError(400, 'invalid-request', 'a JSON body is required');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid-json', 'the request body is not valid JSON');
  }
  return parseValue(schema, value);
}

function parseValue<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new HttpError(400, 'invalid-request', describeIssues(parsed.error, 'value'));
  }
  return parsed.data;
}

function accountFromBody(body: string | undefined): string | undefined {
  if (body === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' &&
      value !== null &&
      typeof (value as { accountId?: unknown }).accountId === 'string'
      ? (value as { accountId: string }).accountId
      : undefined;
  } catch {
    return undefined;
  }
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, 'invalid-path', 'the path has a malformed percent-encoding');
  }
}

/** Host, Origin and content-type refusals (browser-request-checks.ts) answer like every other error. */
function refuseIf(refusal: RequestRefusal | null): void {
  if (refusal) throw new HttpError(refusal.status, refusal.code, refusal.message);
}

function methodNotAllowed(method: string, path: string, allowed: string): HttpError {
  return new HttpError(405, 'method-not-allowed', `${method} is not allowed on ${path}; use ${allowed}`);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
