import { runPlaygroundToExit, startPlaygroundProcess, type PlaygroundProcess } from './support/playground-process';

// `npm start` as a person runs it, on a free port, answering the construct's routes with the
// documented shapes (docs/architecture.md, DESIGN.md "Contracts").
jest.setTimeout(120_000);

async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: any }> {
  const response = await fetch(new URL(path, base), {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

describe('npm start', () => {
  let playground: PlaygroundProcess;

  beforeAll(async () => {
    playground = await startPlaygroundProcess([
      '--port',
      '0',
      '--devices',
      '2',
      '--accounts',
      '1',
      '--limit',
      '3',
      '--heartbeat-interval',
      '1',
      '--lease',
      '3',
    ]);
  });

  afterAll(async () => {
    await playground?.stop();
  });

  it('prints the API and dashboard addresses on the free port it got', () => {
    const port = Number(new URL(playground.apiUrl).port);
    expect(port).toBeGreaterThan(0);
    expect(port).not.toBe(3000);
    expect(new URL(playground.dashboardUrl).port).toBe(String(port));
  });

  it('answers POST /tokens and GET /accounts/{id}/sessions with the documented shapes', async () => {
    const granted = await call(playground.apiUrl, 'POST', '/tokens', {
      accountId: 'shape-acct',
      deviceId: 'shape-device',
    });
    expect(granted.status).toBe(201);
    expect(granted.body).toEqual(
      expect.objectContaining({
        token: expect.any(String),
        sessionId: expect.any(String),
        cacheName: expect.any(String),
        heartbeatTopic: expect.any(String),
        controlTopic: expect.any(String),
        heartbeatIntervalSeconds: 1,
        expiresAt: expect.any(String),
        limit: 3,
        active: 1,
      }),
    );
    expect(Number.isFinite(Date.parse(granted.body.expiresAt))).toBe(true);

    const listed = await call(playground.apiUrl, 'GET', '/accounts/shape-acct/sessions');
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual({
      accountId: 'shape-acct',
      limit: 3,
      active: 1,
      allowed: true,
      sessions: [
        expect.objectContaining({
          sessionId: granted.body.sessionId,
          deviceId: 'shape-device',
          startedAt: expect.any(String),
        }),
      ],
    });

    const ended = await call(playground.apiUrl, 'DELETE', `/accounts/shape-acct/sessions/${granted.body.sessionId}`);
    expect(ended.status).toBeGreaterThanOrEqual(200);
    expect(ended.status).toBeLessThan(300);
    const after = await call(playground.apiUrl, 'GET', '/accounts/shape-acct/sessions');
    expect(after.body).toEqual(expect.objectContaining({ active: 0, sessions: [] }));
  });

  it('replaces a copied device id (only the newer session counted) and answers the session check 200, then 404 after DELETE', async () => {
    const first = await call(playground.apiUrl, 'POST', '/tokens', {
      accountId: 'check-acct',
      deviceId: 'living-room-tv',
    });
    const second = await call(playground.apiUrl, 'POST', '/tokens', {
      accountId: 'check-acct',
      deviceId: 'living-room-tv',
    });
    expect([first.status, second.status]).toEqual([201, 201]);
    const listed = await call(playground.apiUrl, 'GET', '/accounts/check-acct/sessions');
    expect(listed.body.sessions.map((s: { sessionId: string }) => s.sessionId)).toEqual([second.body.sessionId]);
    expect((await call(playground.apiUrl, 'GET', `/accounts/check-acct/sessions/${first.body.sessionId}`)).status).toBe(
      404,
    );
    const counted = await call(playground.apiUrl, 'GET', `/accounts/check-acct/sessions/${second.body.sessionId}`);
    expect(counted).toEqual({
      status: 200,
      body: expect.objectContaining({ sessionId: second.body.sessionId, deviceId: 'living-room-tv' }),
    });
    expect(
      (await call(playground.apiUrl, 'DELETE', `/accounts/check-acct/sessions/${second.body.sessionId}`)).status,
    ).toBe(200);
    const ended = await call(playground.apiUrl, 'GET', `/accounts/check-acct/sessions/${second.body.sessionId}`);
    expect(ended).toEqual({ status: 404, body: { error: 'session-not-found', message: expect.any(String) } });
  });

  it('admits exactly three of fifty simultaneous POST /tokens for one account with --limit 3', async () => {
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        call(playground.apiUrl, 'POST', '/tokens', { accountId: 'burst-acct', deviceId: `burst-${i}` }),
      ),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(3);
    expect(statuses.filter((status) => status === 409)).toHaveLength(47);
    const refusal = answers.find((answer) => answer.status === 409)!.body;
    expect(refusal).toEqual(
      expect.objectContaining({ error: 'limit-reached', message: expect.any(String), sessions: expect.any(Array) }),
    );
    expect(refusal.sessions).toHaveLength(3);
    const listed = await call(playground.apiUrl, 'GET', '/accounts/burst-acct/sessions');
    expect(listed.body).toEqual(expect.objectContaining({ active: 3, allowed: false }));
    console.log(
      `playground: 50 simultaneous POST /tokens with --limit 3 -> ${statuses.filter((s) => s === 201).length} x 201, ${statuses.filter((s) => s === 409).length} x 409`,
    );
  });

  it('answers bad input with a 4xx and the JSON error shape', async () => {
    for (const [method, path, body] of [
      ['POST', '/tokens', '{not json'],
      ['POST', '/tokens', { accountId: 'a', deviceId: 'has space' }],
      ['GET', '/accounts/bad%20id/sessions', undefined],
      ['PUT', '/tokens', {}],
      ['GET', '/no/such/route', undefined],
    ] as const) {
      const answer = await call(playground.apiUrl, method, path, body);
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      expect(answer.body).toEqual(expect.objectContaining({ error: expect.any(String), message: expect.any(String) }));
    }
  });

  it('runs its simulated devices: they heartbeat and hold sessions', async () => {
    const devices = await call(playground.apiUrl, 'GET', '/playground/devices');
    expect(devices.body).toHaveLength(2);
    const deadline = Date.now() + 15_000;
    let heartbeats = 0;
    while (Date.now() < deadline) {
      const now = await call(playground.apiUrl, 'GET', '/playground/devices');
      heartbeats = Math.min(...now.body.map((device: { heartbeats: number }) => device.heartbeats));
      if (heartbeats >= 2 && now.body.every((device: { state: string }) => device.state === 'active')) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(heartbeats).toBeGreaterThanOrEqual(2);
    const accountId = devices.body[0].accountId;
    const listed = await call(playground.apiUrl, 'GET', `/accounts/${accountId}/sessions`);
    expect(listed.body.active).toBe(2);
  });

  it('stops the whole process tree on Ctrl-C (SIGINT to the group)', async () => {
    await playground.interruptGroup('SIGINT');
    expect(await playground.groupGone()).toBe(true);
    expect(playground.output()).toMatch(/playground: SIGINT, stopping devices, subscriber, server and emulator/);
    expect(playground.output()).toMatch(/playground: stopped/);
  });
});

describe('stopping the playground', () => {
  it('exits with code 0 on SIGTERM', async () => {
    const playground = await startPlaygroundProcess(
      ['--port', '0', '--devices', '1', '--heartbeat-interval', '1', '--lease', '3'],
      'node',
    );
    try {
      expect(await playground.signal('SIGTERM')).toBe(0);
      expect(playground.output()).toMatch(/playground: stopped/);
      expect(await playground.groupGone()).toBe(true);
    } finally {
      await playground.stop();
    }
  });

  it('stops by itself when SIGTERM reaches only npm (whose shell does not pass it on)', async () => {
    const playground = await startPlaygroundProcess(
      ['--port', '0', '--devices', '1', '--heartbeat-interval', '1', '--lease', '3'],
      'npm',
    );
    try {
      await playground.signal('SIGTERM');
      expect(await playground.groupGone(15_000)).toBe(true);
      expect(playground.output()).toMatch(/playground: parent process gone, stopping/);
      expect(playground.output()).toMatch(/playground: stopped/);
    } finally {
      await playground.stop();
    }
  });
});

describe('npm start with bad options', () => {
  it.each([
    [['--strategy', 'guess'], /--strategy must be one of leases, capped-list, interval-dictionary/],
    [['--port', 'abc'], /--port must be a non-negative number/],
    [['--lease', '3', '--heartbeat-interval', '3'], /--lease \(3s\) must be longer than --heartbeat-interval \(3s\)/],
  ])('%j exits 2 with a clear message', async (args, message) => {
    const { code, output } = await runPlaygroundToExit(args);
    expect(code).toBe(2);
    expect(output).toMatch(message);
  });
});
