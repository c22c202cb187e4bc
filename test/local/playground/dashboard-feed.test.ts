import { createServer, get, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DashboardFeed } from '../../../local/playground/dashboard-feed';

/** Reads SSE frames from a response until `count` named events have arrived. */
function readEvents(response: IncomingMessage, count: number): Promise<Array<{ event: string; data: unknown }>> {
  return new Promise((resolve, reject) => {
    const events: Array<{ event: string; data: unknown }> = [];
    let buffer = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(frame)?.[1];
        const data = /^data: (.*)$/m.exec(frame)?.[1];
        if (event !== undefined && data !== undefined) events.push({ event, data: JSON.parse(data) });
        if (events.length === count) resolve(events);
      }
    });
    response.on('error', reject);
  });
}

describe('DashboardFeed', () => {
  let server: Server;
  let feed: DashboardFeed;
  let url: string;

  beforeEach(async () => {
    feed = new DashboardFeed(() => [{ event: 'snapshot', data: { hello: 'world' } }], 50);
    server = createServer((req, res) => feed.attach(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  afterEach(async () => {
    feed.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('sends the snapshot first, then every published event, to each client', async () => {
    const responses = await Promise.all([0, 1].map(() => new Promise<IncomingMessage>((resolve) => get(url, resolve))));
    expect(responses[0].headers['content-type']).toMatch(/^text\/event-stream/);
    const reads = responses.map((response) => readEvents(response, 3));
    await waitFor(() => feed.clientCount === 2);
    feed.publish('lifecycle', { type: 'Session Admitted', line: 'a\nb' });
    feed.publish('devices', [{ deviceId: 'd-1' }]);
    for (const events of await Promise.all(reads)) {
      expect(events).toEqual([
        { event: 'snapshot', data: { hello: 'world' } },
        { event: 'lifecycle', data: { type: 'Session Admitted', line: 'a\nb' } },
        { event: 'devices', data: [{ deviceId: 'd-1' }] },
      ]);
    }
    feed.close();
    await Promise.all(responses.map((response) => new Promise((resolve) => response.on('end', resolve))));
    expect(feed.clientCount).toBe(0);
  });

  it('forgets a client that goes away and refuses new ones once closed', async () => {
    const response = await new Promise<IncomingMessage>((resolve) => get(url, resolve));
    await waitFor(() => feed.clientCount === 1);
    response.destroy();
    await waitFor(() => feed.clientCount === 0);
    feed.close();
    const refused = await new Promise<IncomingMessage>((resolve) => get(url, resolve));
    expect(refused.statusCode).toBe(503);
    refused.resume();
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
