import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { DashboardFeed } from '../../../local/playground/dashboard-feed';
import { closeServer, createLocalApiServer, listen, type ApiRoutes } from '../../../local/playground/local-api-server';
import { SimulatedDevices } from '../../../local/playground/simulated-devices';

describe('local API server', () => {
  let server: Server;
  let upstream: Server;
  let base: string;
  let feed: DashboardFeed;
  let devices: SimulatedDevices;
  const seen: APIGatewayProxyEvent[] = [];
  const accounts: string[] = [];
  const upstreamRequests: Array<{ method?: string; url?: string; body: string; authorization?: string }> = [];

  const answer = (route: string) => async (event: APIGatewayProxyEvent) => {
    seen.push(event);
    return {
      statusCode: route === 'token' ? 201 : 200,
      headers: { 'X-Route': route },
      body: JSON.stringify({ route }),
    };
  };
  const api: ApiRoutes = {
    createToken: answer('token'),
    listSessions: answer('list'),
    checkSession: answer('check'),
    endSession: answer('end'),
  };

  beforeAll(async () => {
    // Stands in for the emulator's HTTP topics API.
    upstream = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        upstreamRequests.push({ method: req.method, url: req.url, body, authorization: req.headers.authorization });
        res.writeHead(204);
        res.end();
      });
    });
    const upstreamAddress = await listen(upstream, 0, '127.0.0.1');
    feed = new DashboardFeed();
    devices = new SimulatedDevices(() => ({ stop: async () => undefined, crash: async () => undefined }));
    server = createLocalApiServer({
      api,
      devices,
      feed,
      snapshot: () => ({ hello: 'snapshot' }),
      browserClient: async () => 'window.ConcurrencyClient = {};',
      topicsApi: { hostname: '127.0.0.1', port: upstreamAddress.port },
      onAccountSeen: (accountId) => accounts.push(accountId),
    });
    base = `http://127.0.0.1:${(await listen(server, 0, '127.0.0.1')).port}`;
  });

  afterAll(async () => {
    feed.close();
    await devices.stopAll();
    await closeServer(server);
    await closeServer(upstream);
  });

  const request = async (method: string, path: string, body?: string, headers: Record<string, string> = {}) => {
    const response = await fetch(base + path, {
      method,
      body,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    });
    const text = await response.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
  };

  it('hands POST /tokens to the handler as an IAM-authorised API Gateway event', async () => {
    const answered = await request('POST', '/tokens', '{"accountId":"acct-7","deviceId":"tv"}');
    expect(answered.status).toBe(201);
    expect(answered.json).toEqual({ route: 'token' });
    expect(answered.headers.get('x-route')).toBe('token');
    const event = seen.at(-1)!;
    expect(event).toMatchObject({
      httpMethod: 'POST',
      resource: '/tokens',
      path: '/tokens',
      body: '{"accountId":"acct-7","deviceId":"tv"}',
      pathParameters: null,
      requestContext: { authorizer: null, identity: { userArn: expect.stringContaining(':role/') } },
    });
    expect(event.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(accounts).toContain('acct-7');
  });

  it('routes the entitlement routes with decoded path parameters and the query', async () => {
    await request('GET', '/accounts/a%40b.com/sessions?contentId=film-1');
    expect(seen.at(-1)).toMatchObject({
      httpMethod: 'GET',
      resource: '/accounts/{accountId}/sessions',
      pathParameters: { accountId: 'a@b.com' },
      queryStringParameters: { contentId: 'film-1' },
    });
    const ended = await request('DELETE', '/accounts/acct-1/sessions/s-1');
    expect(ended.json).toEqual({ route: 'end' });
    expect(seen.at(-1)).toMatchObject({
      resource: '/accounts/{accountId}/sessions/{sessionId}',
      pathParameters: { accountId: 'acct-1', sessionId: 's-1' },
    });
    const checked = await request('GET', '/accounts/acct-1/sessions/s-2');
    expect(checked.json).toEqual({ route: 'check' });
    expect(seen.at(-1)).toMatchObject({
      httpMethod: 'GET',
      resource: '/accounts/{accountId}/sessions/{sessionId}',
      pathParameters: { accountId: 'acct-1', sessionId: 's-2' },
    });
  });

  it.each([
    ['GET', '/tokens', 405, 'method-not-allowed'],
    ['POST', '/accounts/a/sessions', 405, 'method-not-allowed'],
    ['PUT', '/accounts/a/sessions/s', 405, 'method-not-allowed'],
    ['GET', '/accounts/%E0%A4%A/sessions', 400, 'invalid-path'],
    ['GET', '/nothing-here', 404, 'not-found'],
  ])('%s %s answers %i %s with the JSON error shape', async (method, path, status, code) => {
    const before = seen.length;
    const answered = await request(method, path);
    expect(answered.status).toBe(status);
    expect(answered.json).toEqual({ error: code, message: expect.any(String) });
    expect(seen).toHaveLength(before);
  });

  it('refuses bodies over 64 KB', async () => {
    const answered = await request('POST', '/tokens', JSON.stringify({ accountId: 'a', deviceId: 'x'.repeat(70_000) }));
    expect(answered.status).toBe(413);
  });

  it('serves the pages, the client bundle and the snapshot', async () => {
    const root = await fetch(`${base}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/dashboard.html');
    for (const [path, type, marker] of [
      ['/dashboard.html', 'text/html', 'data-testid="accounts"'],
      ['/device.html', 'text/html', '/client.js'],
      ['/dashboard.js', 'text/javascript', 'EventSource'],
      ['/style.css', 'text/css', '.badge'],
      ['/client.js', 'text/javascript', 'ConcurrencyClient'],
    ]) {
      const page = await request('GET', path);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain(type);
      expect(page.text).toContain(marker);
    }
    expect((await request('GET', '/../package.json')).status).toBe(404);
    expect((await request('GET', '/playground/state')).json).toEqual({ hello: 'snapshot' });
  });

  it('starts, lists and controls simulated devices with validated bodies', async () => {
    const started = await request('POST', '/playground/devices', '{"accountId":"acct-3","deviceId":"box"}');
    expect(started.status).toBe(201);
    expect(started.json).toMatchObject({ deviceId: 'box', accountId: 'acct-3', state: 'starting' });
    expect(accounts).toContain('acct-3');
    expect((await request('GET', '/playground/devices')).json).toEqual([expect.objectContaining({ deviceId: 'box' })]);
    expect((await request('POST', '/playground/devices/box/crash')).json).toMatchObject({ state: 'crashed' });
    expect((await request('POST', '/playground/devices/box/stop')).status).toBe(409);
    expect((await request('POST', '/playground/devices/box/start')).json).toMatchObject({ state: 'starting' });
    expect((await request('POST', '/playground/devices/box/stop')).json).toMatchObject({ state: 'stopped' });
    expect((await request('DELETE', '/playground/devices/box')).status).toBe(204);
    expect((await request('POST', '/playground/devices/box/start')).status).toBe(404);

    for (const body of ['{"accountId":"has space"}', '{"accountId":"a","extra":1}', 'not json', '{}']) {
      const refused = await request('POST', '/playground/devices', body);
      expect(refused.status).toBe(400);
      expect(refused.json).toEqual({ error: expect.any(String), message: expect.any(String) });
    }
  });

  it('records browser device reports', async () => {
    const reported = await request(
      'POST',
      '/playground/browser-devices',
      '{"accountId":"acct-4","deviceId":"tab-1","state":"active"}',
    );
    expect(reported.json).toMatchObject({ origin: 'browser', state: 'active' });
    expect(
      (
        await request(
          'POST',
          '/playground/browser-devices',
          '{"accountId":"acct-4","deviceId":"tab-1","state":"dancing"}',
        )
      ).status,
    ).toBe(400);
  });

  it('forwards /topics/ to the emulator HTTP API with method, query, body and token', async () => {
    const forwarded = await request('POST', '/topics/cache/heartbeat?x=1', '{"v":1}', { authorization: 'token-abc' });
    expect(forwarded.status).toBe(204);
    expect(upstreamRequests.at(-1)).toEqual({
      method: 'POST',
      url: '/topics/cache/heartbeat?x=1',
      body: '{"v":1}',
      authorization: 'token-abc',
    });
  });
});

describe('local API server refuses what a web page elsewhere could send it', () => {
  let server: Server;
  let port: number;
  let feed: DashboardFeed;
  let devices: SimulatedDevices;
  const handled: string[] = [];
  const answer = (route: string) => async () => {
    handled.push(route);
    return { statusCode: 201, headers: {}, body: JSON.stringify({ route }) };
  };

  beforeAll(async () => {
    feed = new DashboardFeed();
    devices = new SimulatedDevices(() => ({ stop: async () => undefined, crash: async () => undefined }));
    server = createLocalApiServer({
      api: {
        createToken: answer('token'),
        listSessions: answer('list'),
        checkSession: answer('check'),
        endSession: answer('end'),
      },
      devices,
      feed,
      snapshot: () => ({ secret: 'dashboard state' }),
      browserClient: async () => '',
    });
    port = (await listen(server, 0, '127.0.0.1')).port;
  });
  afterAll(async () => {
    feed.close();
    await devices.stopAll();
    await closeServer(server);
  });

  /** A raw request, so Host and Origin are exactly what a browser would send. */
  function send(
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: string,
  ): Promise<{ status: number; json: any }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method,
          path,
          headers: { ...headers, ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }) },
        },
        (res) => {
          let text = '';
          res.on('data', (chunk) => (text += chunk));
          res.on('end', () => {
            let json: unknown;
            try {
              json = JSON.parse(text);
            } catch {
              json = undefined;
            }
            resolve({ status: res.statusCode ?? 0, json });
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }
  const token = '{"accountId":"acct-1","deviceId":"tv"}';

  it('refuses a cross-origin text/plain POST (a form or no-preflight fetch from another site) with 403, and the handler never runs', async () => {
    const before = handled.length;
    const forged = await send(
      'POST',
      '/tokens',
      { host: `127.0.0.1:${port}`, origin: 'https://evil.example', 'content-type': 'text/plain' },
      token,
    );
    expect(forged).toEqual({ status: 403, json: { error: 'forbidden-origin', message: expect.any(String) } });
    const device = await send(
      'POST',
      '/playground/devices',
      { host: `127.0.0.1:${port}`, origin: 'https://evil.example', 'content-type': 'text/plain' },
      token,
    );
    expect(device.status).toBe(403);
    const stop = await send('DELETE', '/accounts/acct-1/sessions/s-1', { host: `127.0.0.1:${port}`, origin: 'null' });
    expect(stop.status).toBe(403);
    expect(handled).toHaveLength(before);
    expect(devices.list()).toEqual([]);
  });

  it('refuses a body that is not application/json with 415, also from the same origin', async () => {
    const before = handled.length;
    for (const path of ['/tokens', '/playground/devices', '/playground/browser-devices']) {
      const plain = await send('POST', path, { host: `127.0.0.1:${port}`, 'content-type': 'text/plain' }, token);
      expect(plain).toEqual({ status: 415, json: { error: 'unsupported-media-type', message: expect.any(String) } });
    }
    expect(handled).toHaveLength(before);
  });

  it('refuses a request whose Host is not this machine (DNS rebinding) with 403, reads and writes alike', async () => {
    const before = handled.length;
    const read = await send('GET', '/playground/state', { host: `rebind.evil.example:${port}` });
    expect(read).toEqual({ status: 403, json: { error: 'forbidden-host', message: expect.any(String) } });
    // Same origin as far as the browser knows: the rebound name is both Host and Origin.
    const write = await send(
      'POST',
      '/tokens',
      {
        host: `rebind.evil.example:${port}`,
        origin: `http://rebind.evil.example:${port}`,
        'content-type': 'application/json',
      },
      token,
    );
    expect(write.status).toBe(403);
    expect(handled).toHaveLength(before);
  });

  it('serves loopback names and the bound address, same-origin pages and callers without Origin', async () => {
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`]) {
      expect((await send('GET', '/playground/state', { host })).json).toEqual({ secret: 'dashboard state' });
      const sameOrigin = await send(
        'POST',
        '/tokens',
        { host, origin: `http://${host}`, 'content-type': 'application/json; charset=utf-8' },
        token,
      );
      expect(sameOrigin).toEqual({ status: 201, json: { route: 'token' } });
    }
    expect(
      (await send('POST', '/tokens', { host: `127.0.0.1:${port}`, 'content-type': 'application/json' }, token)).status,
    ).toBe(201);
    // Body-less controls need no content type.
    expect(
      (
        await send('DELETE', '/accounts/acct-1/sessions/s-1', {
          host: `localhost:${port}`,
          origin: `http://localhost:${port}`,
        })
      ).status,
    ).toBe(201);
  });
});

describe('local API server without its upstream', () => {
  it('answers 502 when the emulator HTTP API is gone', async () => {
    const feed = new DashboardFeed();
    const devices = new SimulatedDevices(() => ({ stop: async () => undefined, crash: async () => undefined }));
    const unused = createServer();
    const port = (await listen(unused, 0, '127.0.0.1')).port;
    await closeServer(unused);
    const server = createLocalApiServer({
      api: {} as ApiRoutes,
      devices,
      feed,
      snapshot: () => ({}),
      browserClient: async () => '',
      topicsApi: { hostname: '127.0.0.1', port },
    });
    const address = (await listen(server, 0, '127.0.0.1')) as AddressInfo;
    try {
      const response = await fetch(`http://127.0.0.1:${address.port}/topics/c/t`, { method: 'POST', body: 'x' });
      expect(response.status).toBe(502);
      expect(await response.json()).toEqual({ error: 'emulator-unreachable', message: expect.any(String) });
    } finally {
      feed.close();
      await closeServer(server);
    }
  });
});
