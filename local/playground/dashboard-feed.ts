import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Server-Sent Events to every open dashboard. A new client first gets what `onConnect` returns
 * (the current state), then every published event. A comment line every few seconds keeps idle
 * proxies from closing the stream; `close()` ends every stream so the server can stop at once.
 */
export class DashboardFeed {
  private readonly clients = new Set<ServerResponse>();
  private readonly keepAlive: NodeJS.Timeout;
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly onConnect: () => ReadonlyArray<{ event: string; data: unknown }> = () => [],
    keepAliveMs = 15_000,
  ) {
    this.keepAlive = setInterval(() => this.writeAll(': keep-alive\n\n'), keepAliveMs);
    this.keepAlive.unref();
  }

  /** Number of open streams (the dashboard shows it; tests wait on it). */
  get clientCount(): number {
    return this.clients.size;
  }

  /** Takes over a request as an event stream. */
  attach(request: IncomingMessage, response: ServerResponse): void {
    if (this.closed) {
      response.writeHead(503, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: 'stopping', message: 'the playground is stopping' }));
      return;
    }
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    // Browsers reconnect by themselves after this many milliseconds if the stream drops.
    response.write('retry: 1000\n\n');
    this.clients.add(response);
    const forget = () => this.clients.delete(response);
    request.on('close', forget);
    response.on('error', forget);
    for (const { event, data } of this.onConnect()) response.write(this.format(event, data));
  }

  /** Sends one named event with a JSON body to every open stream. */
  publish(event: string, data: unknown): void {
    if (this.closed || this.clients.size === 0) return;
    this.writeAll(this.format(event, data));
  }

  /** Ends every stream and refuses new ones. */
  close(): void {
    this.closed = true;
    clearInterval(this.keepAlive);
    for (const client of this.clients) client.end();
    this.clients.clear();
  }

  private format(event: string, data: unknown): string {
    // JSON.stringify never emits a raw newline, so one `data:` line always suffices.
    return `id: ${this.nextId++}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
  }

  private writeAll(chunk: string): void {
    for (const client of this.clients) {
      if (!client.writableEnded) client.write(chunk);
    }
  }
}
