import { DeviceSession, type DeviceSessionEvents } from '../../../client/index';
import { createHttpTopicTransport } from '../../../client/http-topic-transport';
import type { Playground } from '../../../local/playground/playground';
import { startOneAccountPlayground } from './support/one-account-playground';

// What a player team rehearses against the playground (docs/playground.md, "Rehearsing a player"):
// a short token lifetime, a maximum session duration, a limit-changed message and fail-open mode
// during a Momento outage, each seen by a real DeviceSession (the browser transport) or POST /tokens.
jest.setTimeout(180_000);

const TOKEN_TTL_SECONDS = 6;
const MAX_SESSION_SECONDS = 10;

let playground: Playground;

beforeAll(async () => {
  playground = await startOneAccountPlayground({
    leaseSeconds: 3,
    tokenTtlSeconds: TOKEN_TTL_SECONDS,
    maxSessionSeconds: MAX_SESSION_SECONDS,
    failureMode: 'open',
  });
});

afterAll(async () => {
  await playground?.stop();
});

function session(accountId: string, deviceId: string): DeviceSession {
  return new DeviceSession({
    deviceId,
    pageLifecycle: false,
    transport: createHttpTopicTransport({ baseUrl: playground.emulatorHttpUrl }),
    requestToken: (body) =>
      fetch(new URL('/tokens', playground.apiUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...body, accountId }),
      }),
  });
}

function next<Name extends keyof DeviceSessionEvents>(
  s: DeviceSession,
  name: Name,
  withinMs: number,
): Promise<DeviceSessionEvents[Name]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no ${String(name)} within ${withinMs} ms (state ${s.state})`)),
      withinMs,
    );
    const off = s.on(name, (payload) => {
      clearTimeout(timer);
      off();
      resolve(payload);
    });
  });
}

async function post(path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(new URL(path, playground.apiUrl), {
    method: 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: await response.json() };
}

describe('rehearsing a player against the playground', () => {
  it('hands out tokens of --token-ttl, which the client refreshes while it plays', async () => {
    const s = session('ttl-acct', 'ttl-device');
    const result = await s.start();
    expect(result.state).toBe('active');
    const lifetimeMs = Date.parse(s.grant!.expiresAt) - Date.now();
    expect(lifetimeMs).toBeGreaterThan(0);
    expect(lifetimeMs).toBeLessThanOrEqual(TOKEN_TTL_SECONDS * 1000);
    // Refreshed before the first token runs out (a refresh that came too late would end it `expired`).
    const refreshed = await next(s, 'token-refreshed', MAX_SESSION_SECONDS * 1000);
    expect(Date.parse(refreshed.expiresAt)).toBeGreaterThan(
      Date.parse(result.state === 'active' ? result.grant.expiresAt : ''),
    );
    expect(s.state).toBe('active');
    await s.stop();
  });

  it('ends a session at --max-session (expired), not before and not long after', async () => {
    const s = session('max-acct', 'max-device');
    const startedAt = Date.now();
    const expiries: Array<DeviceSessionEvents['expired']> = [];
    s.on('expired', (payload) => expiries.push(payload));
    await s.start();
    const sessionEndsAt = Date.parse(s.grant!.sessionEndsAt!);
    expect(sessionEndsAt - startedAt).toBeGreaterThanOrEqual(MAX_SESSION_SECONDS * 1000);
    const expired = await next(s, 'expired', (MAX_SESSION_SECONDS + 60) * 1000);
    const endedAt = Date.now();
    const endedAfterMs = endedAt - startedAt;
    // The grant says when the session ends: the client ends it then, or the backend's message first.
    // The backend cuts the last token short at that end (whole seconds), which must not turn into a
    // `token-expired` (or a refresh refused after the end) a moment before.
    expect(expired.reason).toBe('max-duration');
    expect(endedAt).toBeGreaterThanOrEqual(sessionEndsAt);
    expect(s.state).toBe('expired');
    await new Promise((resolve) => setTimeout(resolve, 2000)); // the backend's own message, if late, changes nothing
    expect(expiries).toHaveLength(1);
    console.log(
      `--max-session ${MAX_SESSION_SECONDS}: the session ended expired (${expired.reason}) ${endedAfterMs} ms after start()`,
    );
  });

  it('sends limit-changed to every active session of an account', async () => {
    const tv = session('limit-acct', 'tv');
    const phone = session('limit-acct', 'phone');
    await tv.start();
    await phone.start();
    const heard = [next(tv, 'limit-changed', 30_000), next(phone, 'limit-changed', 30_000)];

    const answer = await post('/playground/accounts/limit-acct/limit-changed');

    expect(answer.status).toBe(200);
    expect(answer.body.told.sort()).toEqual([tv.sessionId, phone.sessionId].sort());
    const messages = await Promise.all(heard);
    expect(messages.map((m) => m.type)).toEqual(['limit-changed', 'limit-changed']);
    expect(tv.state).toBe('active'); // a limit change tells; it ends nothing
    await Promise.all([tv.stop(), phone.stop()]);
  });

  it('refuses a malformed rehearsal request with a 400 and does nothing', async () => {
    expect((await post('/playground/accounts/bad%20account/limit-changed')).status).toBe(400);
    expect((await post('/playground/momento-outage', { seconds: 0 })).status).toBe(400);
    expect((await post('/playground/momento-outage', { seconds: 5, extra: 1 })).status).toBe(400);
  });

  it('with --failure-mode open, admits degraded while Momento is down, and counts again once it is back', async () => {
    const outage = await post('/playground/momento-outage', { seconds: 15 });
    expect(outage.status).toBe(202);

    const during = await post('/tokens', { accountId: 'open-acct', deviceId: 'open-device' });
    expect(during.status).toBe(201);
    expect(during.body).toMatchObject({ degraded: true, token: '' });

    // Once the outage is over, admissions are counted again.
    let after = during;
    for (const until = Date.now() + 90_000; after.body.degraded && Date.now() < until;) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      after = await post('/tokens', { accountId: 'open-acct', deviceId: 'open-device' });
    }
    expect(after.status).toBe(201);
    expect(after.body.degraded).toBeUndefined();
    expect(after.body.token).not.toBe('');
  });
});
