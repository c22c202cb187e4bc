import * as http from 'node:http';
import type * as net from 'node:net';
import { status } from '@grpc/grpc-js';
import { z } from 'zod';
import type { TokenGuard } from '../auth/token-guard';
import type { FaultController } from '../faults';
import { isStatusError, statusError } from '../status-error';
import type { StatsCounter } from '../stats';
import type { Discontinuity, TopicEntry, TopicValue } from './topic';
import { MAX_MESSAGE_BYTES, type TopicHub } from './topic-hub';

/** HTTP status for each gRPC status the topic calls can fail with. */
const HTTP_STATUS: Partial<Record<status, number>> = {
  [status.INVALID_ARGUMENT]: 400,
  [status.UNAUTHENTICATED]: 401,
  [status.PERMISSION_DENIED]: 403,
  [status.NOT_FOUND]: 404,
  // Assumption: limit errors (the 4 KB message limit included) answer 429, as Momento's docs list
  // 429 for "limits exceeded".
  [status.RESOURCE_EXHAUSTED]: 429,
  [status.UNAVAILABLE]: 503,
  [status.DEADLINE_EXCEEDED]: 504,
};

const pollQuerySchema = z.object({
  sequence_number: z.coerce.number().int().nonnegative().default(0),
  sequence_page: z.coerce.number().int().nonnegative().default(0),
});

/** The JSON element of one subscription item, shaped as in Momento's HTTP API reference. */
type HttpItem =
  | {
      item: {
        topic_sequence_number: number;
        sequence_page: number;
        value: { text: string } | { binary: string };
        publisher_id?: string;
      };
    }
  | { discontinuity: { last_topic_sequence: number; new_topic_sequence: number; new_sequence_page: number } };

function itemJson(entry: TopicEntry): HttpItem {
  const value =
    'text' in entry.value ? { text: entry.value.text } : { binary: Buffer.from(entry.value.binary).toString('base64') };
  return {
    item: {
      topic_sequence_number: entry.sequenceNumber,
      sequence_page: entry.sequencePage,
      value,
      // Assumption: Momento's HTTP reference shows no publisher id; the emulator adds the token id
      // under the protobuf field's name when the publisher's token has one.
      ...(entry.publisherId !== '' ? { publisher_id: entry.publisherId } : {}),
    },
  };
}

const discontinuityJson = (gap: Discontinuity): HttpItem => ({
  discontinuity: {
    last_topic_sequence: gap.lastSequence,
    new_topic_sequence: gap.newSequence,
    new_sequence_page: gap.newSequencePage,
  },
});

class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

export interface HttpTopicsOptions {
  readonly hostname: string;
  readonly port: number;
  readonly hub: TopicHub;
  readonly guard: TokenGuard;
  readonly faults: FaultController;
  readonly stats: StatsCounter;
  /** Longest a long poll waits for an item before answering with no items, in ms. @default 30000 */
  readonly longPollTimeoutMs?: number;
  /** Most items one long-poll answer carries. @default 100 */
  readonly maxItemsPerPoll?: number;
}

export interface HttpTopicsServer {
  readonly port: number;
  resetConnections(): void;
  stop(): Promise<void>;
}

/** The token of a request: the `Authorization` header or the `token` query parameter, not both. */
function requestToken(request: http.IncomingMessage, url: URL): string {
  const header = request.headers.authorization;
  const query = url.searchParams.get('token');
  if (header !== undefined && query !== null)
    throw new HttpError(400, 'only one of the Authorization header and the token query parameter must be set');
  const token = header ?? query;
  if (token === null || token === '')
    throw new HttpError(401, 'an auth token is required (Authorization header or token query parameter)');
  return token.startsWith('Bearer ') ? token.slice('Bearer '.length) : token;
}

function corsHeaders(request: http.IncomingMessage): Record<string, string> {
  return {
    'access-control-allow-origin': request.headers.origin ?? '*',
    'access-control-allow-methods': 'GET, POST, OPTIONS',
    'access-control-allow-headers': 'Authorization, Content-Type',
    'access-control-max-age': '600',
    vary: 'Origin',
  };
}

async function readBody(request: http.IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    // Read a little past the limit so the size check reports the real problem, not a cut body.
    if (size > limit * 4) throw new HttpError(413, `request body exceeds ${limit * 4} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Momento's HTTP topics API: `POST /topics/{cache}/{topic}` publishes the body (text, or bytes with
 * `Content-Type: application/octet-stream`); `GET /topics/{cache}/{topic}` long-polls for items
 * from `sequence_number` on. Same token checks as gRPC; CORS open so a browser page can call it.
 */
export async function listenHttpTopics(options: HttpTopicsOptions): Promise<HttpTopicsServer> {
  const { hub, guard, faults, stats } = options;
  const longPollTimeoutMs = options.longPollTimeoutMs ?? 30_000;
  const maxItems = options.maxItemsPerPoll ?? 100;
  const pendingPolls = new Set<() => void>();
  const sockets = new Set<net.Socket>();

  const send = (request: http.IncomingMessage, response: http.ServerResponse, code: number, body?: string | object) => {
    if (response.headersSent || response.destroyed) return;
    const headers: Record<string, string> = corsHeaders(request);
    let payload: string | undefined;
    if (typeof body === 'string') {
      headers['content-type'] = 'text/plain; charset=utf-8';
      payload = body;
    } else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    response.writeHead(code, headers);
    response.end(payload);
  };

  const publish = async (request: http.IncomingMessage, cacheName: string, topicName: string, url: URL) => {
    const token = requestToken(request, url);
    const body = await readBody(request, MAX_MESSAGE_BYTES);
    const caller = guard.authorizeTopic(token, cacheName, topicName, 'publish');
    const binary = (request.headers['content-type'] ?? '').startsWith('application/octet-stream');
    const value: TopicValue = binary ? { binary: new Uint8Array(body) } : { text: body.toString('utf8') };
    hub.publish(cacheName, topicName, value, caller.tokenId ?? '');
  };

  const poll = (
    request: http.IncomingMessage,
    response: http.ServerResponse,
    cacheName: string,
    topicName: string,
    url: URL,
  ) => {
    const token = requestToken(request, url);
    const query = pollQuerySchema.safeParse(Object.fromEntries(url.searchParams));
    if (!query.success) throw new HttpError(400, 'sequence_number and sequence_page must be non-negative integers');
    guard.authorizeTopic(token, cacheName, topicName, 'subscribe');
    const plan = hub.planResume(cacheName, topicName, query.data.sequence_number, query.data.sequence_page);
    const items: HttpItem[] = [];
    if (plan.discontinuity !== undefined) items.push(discontinuityJson(plan.discontinuity));
    for (const entry of plan.replay.slice(0, maxItems)) items.push(itemJson(entry));
    if (items.length > 0) {
      stats.itemsDelivered += plan.replay.length;
      send(request, response, 200, { items });
      return;
    }
    // Nothing to return yet: wait for the next item, the timeout, or the client leaving.
    let done = false;
    const finish = (body: { items: HttpItem[] } | undefined, code = 200, message?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      subscription.close();
      pendingPolls.delete(abort);
      if (message !== undefined) send(request, response, code, message);
      else if (body !== undefined) send(request, response, code, body);
    };
    const abort = () => finish(undefined);
    const subscription = hub.subscribe(cacheName, topicName, 0, 0, {
      item: (entry) => {
        stats.itemsDelivered += 1;
        finish({ items: [itemJson(entry)] });
      },
      discontinuity: (gap) => finish({ items: [discontinuityJson(gap)] }),
      heartbeat: () => undefined,
      fail: (error) => finish(undefined, HTTP_STATUS[error.code] ?? 500, error.details),
    });
    // Assumption: Momento's long-poll timeout is undocumented; the emulator answers `{ "items": [] }`.
    const timer = setTimeout(() => finish({ items: [] }), longPollTimeoutMs);
    pendingPolls.add(abort);
    response.on('close', abort);
  };

  const handle = async (request: http.IncomingMessage, response: http.ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://emulator.local');
    if (request.method === 'OPTIONS') {
      send(request, response, 204);
      return;
    }
    const match = /^\/topics\/([^/]+)\/([^/]+)\/?$/.exec(url.pathname);
    if (match === null) throw new HttpError(404, 'not found: the emulator serves /topics/{cacheName}/{topicName}');
    const cacheName = decodeURIComponent(match[1] as string);
    const topicName = decodeURIComponent(match[2] as string);
    if (request.method !== 'POST' && request.method !== 'GET')
      throw new HttpError(405, 'use GET (subscribe) or POST (publish)');
    const isPublish = request.method === 'POST';
    stats.countCall(isPublish ? 'HTTP Publish' : 'HTTP Subscribe');
    const decision = faults.decide(isPublish ? 'publish' : 'subscribe');
    if (decision !== undefined && decision.delayMs > 0)
      await new Promise((resolve) => setTimeout(resolve, decision.delayMs));
    if (decision?.failWith !== undefined)
      throw statusError(decision.failWith, `injected fault on HTTP ${request.method}`);
    if (isPublish) {
      await publish(request, cacheName, topicName, url);
      send(request, response, 204);
    } else {
      poll(request, response, cacheName, topicName, url);
    }
  };

  const server = http.createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (error instanceof HttpError) send(request, response, error.statusCode, error.message);
      else if (isStatusError(error)) send(request, response, HTTP_STATUS[error.code] ?? 500, error.details);
      else send(request, response, 500, `emulator error: ${String(error)}`);
    });
  });
  server.on('connection', (socket: net.Socket) => {
    if (faults.isRefusingConnections()) {
      socket.resetAndDestroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.hostname, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    resetConnections: () => {
      for (const socket of sockets) socket.resetAndDestroy();
    },
    stop: async () => {
      for (const abort of [...pendingPolls]) abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
