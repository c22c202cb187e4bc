import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What `GET /health` answers: 200 when `ok` (ECS keeps the task), 503 otherwise, with `body` as JSON. */
export interface HealthReport {
  readonly ok: boolean;
  readonly body: Record<string, unknown>;
}

/** `GET /health`, answered from `report()` at each request. */
export async function startHealthServer(
  port: number,
  report: () => HealthReport,
): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    if (request.method !== 'GET' || (request.url ?? '').split('?')[0] !== '/health') {
      response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not-found' }));
      return;
    }
    const { ok, body } = report();
    response.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
