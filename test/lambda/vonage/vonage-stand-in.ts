import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One REST call the stand-in received. */
export interface RecordedCall {
  readonly method: string;
  readonly path: string;
  readonly authorization?: string;
  readonly body: string;
}

/**
 * A local HTTP server standing in for Vonage's Video REST API (session create, force disconnect,
 * signal). It records every call so tests assert on what the SDK actually sent.
 */
export class VonageStandIn {
  readonly calls: RecordedCall[] = [];
  /** Status the next calls answer with (e.g. 500 to simulate an outage); null: normal answers. */
  failWith: number | null = null;
  private sessions = 0;
  private server?: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Connection ids the SDK force-disconnected, in order. */
  disconnected(): string[] {
    return this.calls
      .filter((call) => call.method === 'DELETE' && /\/connection\/[^/]+$/.test(call.path))
      .map((call) => decodeURIComponent(call.path.split('/').pop()!));
  }

  /** Calls that act on a session (everything but creating one). */
  enforcementCalls(): RecordedCall[] {
    return this.calls.filter((call) => call.path !== '/session/create');
  }

  signals(): RecordedCall[] {
    return this.calls.filter((call) => call.method === 'POST' && call.path.endsWith('/signal'));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const call: RecordedCall = {
      method: req.method ?? '',
      path: (req.url ?? '').split('?')[0],
      authorization: req.headers.authorization,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    this.calls.push(call);
    if (this.failWith !== null) {
      res.writeHead(this.failWith, { 'content-type': 'application/json' }).end('{"message":"stand-in failure"}');
      return;
    }
    if (call.method === 'POST' && call.path === '/session/create') {
      this.sessions += 1;
      const sessionId = `2_MX4xMzExMjU3MX5-stand-in-session-${this.sessions}`;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify([{ session_id: sessionId }]));
      return;
    }
    if (call.method === 'DELETE' && /^\/v2\/project\/[^/]+\/session\/[^/]+\/connection\/[^/]+$/.test(call.path)) {
      res.writeHead(204).end();
      return;
    }
    if (call.method === 'POST' && /^\/v2\/project\/[^/]+\/session\/[^/]+\/connection\/[^/]+\/signal$/.test(call.path)) {
      res.writeHead(204).end();
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"not found"}');
  }
}
