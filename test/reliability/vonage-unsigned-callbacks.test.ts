import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { SignJWT } from 'jose';
import { payloadHash } from '../../lambda/vonage/callback-signature';
import { handleSessionMonitoringRequest } from '../../lambda/vonage/session-monitoring-request';
import type { VonageDependencies, VonageMetricName } from '../../lambda/vonage/vonage-dependencies';
import { parseVonageConfig } from '../../lambda/vonage/vonage-config';
import { recordFigures } from './figures';
import { tripwire, TripwireLog } from './harness/tripwire';

// A Vonage callback without a valid signature changes nothing: 401, and not one call reaches the
// state store, the seats, Vonage's API, the event bus or the admission hook.
const SECRET = 'vonage-signature-secret-3f9a1c7e5b2d4f60';

const callback = JSON.stringify({
  sessionId: '1_MX4xMjM0NTY3OH4',
  projectId: '12345678',
  event: 'connectionCreated',
  timestamp: 1_764_070_000_000,
  connection: {
    id: 'conn-intruder',
    createdAt: 1_764_070_000_000,
    data: JSON.stringify({ v: 1, room: 'lesson-1', user: 'intruder', role: 'teacher', rsv: 'r1', slot: 0 }),
  },
});

const sign = (claims: Record<string, unknown>, secret = SECRET, alg = 'HS256') =>
  new SignJWT({ iss: 'Vonage', application_id: 'app-1', jti: randomUUID(), ...claims })
    .setProtectedHeader({ alg, typ: 'JWT' })
    .setIssuedAt()
    .sign(new TextEncoder().encode(secret));

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const nowSeconds = () => Math.floor(Date.now() / 1000);

function request(body: string, headers: Record<string, string>): APIGatewayProxyEvent {
  return { body, isBase64Encoded: false, headers } as unknown as APIGatewayProxyEvent;
}

function dependencies(log: TripwireLog, logged: string[], metrics: VonageMetricName[]): VonageDependencies {
  const record = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    logged.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  return {
    config: parseVonageConfig({ VONAGE_APPLICATION_ID: 'app-1' }, 2),
    account: { source: 'iam', claim: 'sub' },
    callbackSecret: SECRET,
    cache: tripwire<VonageDependencies['cache']>('cache', log),
    seats: tripwire<VonageDependencies['seats']>('seats', log),
    vonage: tripwire<VonageDependencies['vonage']>('vonage', log),
    hook: tripwire<NonNullable<VonageDependencies['hook']>>('hook', log),
    events: tripwire<VonageDependencies['events']>('events', log),
    metrics: { count: (name) => metrics.push(name) },
    logger: { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') },
    now: () => Date.now(),
    newId: () => 'id-1',
  };
}

const unsigned: Array<[string, () => Promise<Record<string, string>>]> = [
  ['no Authorization header', async () => ({})],
  ['an empty Authorization header', async () => ({ authorization: '' })],
  ['a bare "Bearer"', async () => ({ authorization: 'Bearer' })],
  ['garbage', async () => ({ authorization: 'Bearer not.a.jwt' })],
  [
    'signed with another secret',
    async () => ({
      authorization: `Bearer ${await sign({ payload_hash: payloadHash(callback) }, 'another-secret-0000000000000000')}`,
    }),
  ],
  [
    'alg none',
    async () => ({
      authorization: `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iss: 'Vonage', payload_hash: payloadHash(callback) })}.`,
    }),
  ],
  [
    'HS512 with the right secret (algorithm not allowed)',
    async () => ({ authorization: `Bearer ${await sign({ payload_hash: payloadHash(callback) }, SECRET, 'HS512')}` }),
  ],
  [
    'a valid signature over another body',
    async () => ({
      authorization: `Bearer ${await sign({ payload_hash: payloadHash('{"event":"sessionCreated"}') })}`,
    }),
  ],
  [
    'an expired token',
    async () => ({
      authorization: `Bearer ${await sign({ payload_hash: payloadHash(callback), exp: nowSeconds() - 3600 })}`,
    }),
  ],
  [
    'a token not valid yet',
    async () => ({
      authorization: `Bearer ${await sign({ payload_hash: payloadHash(callback), nbf: nowSeconds() + 3600 })}`,
    }),
  ],
  [
    'a signature with one character changed',
    async () => {
      // A character in the middle of the signature: the last one may only carry padding bits.
      const jwt = await sign({ payload_hash: payloadHash(callback) });
      const at = jwt.lastIndexOf('.') + 10;
      return { authorization: `Bearer ${jwt.slice(0, at)}${jwt[at] === 'A' ? 'B' : 'A'}${jwt.slice(at + 1)}` };
    },
  ],
  [
    'the signature in another header',
    async () => ({ 'x-vonage-signature': await sign({ payload_hash: payloadHash(callback) }) }),
  ],
];

describe('Vonage callbacks without a valid signature change nothing', () => {
  let refused = 0;

  it('a correctly signed callback does reach the state store (the tripwire works)', async () => {
    const log = new TripwireLog();
    const headers = { authorization: `Bearer ${await sign({ payload_hash: payloadHash(callback) })}` };
    await handleSessionMonitoringRequest(request(callback, headers), dependencies(log, [], [])).catch(() => undefined);
    expect(log.calls.length).toBeGreaterThan(0);
  });

  it.each(unsigned)('%s: 401 with the error shape, nothing touched, secret not logged', async (_, headers) => {
    const log = new TripwireLog();
    const logged: string[] = [];
    const metrics: VonageMetricName[] = [];
    const response = await handleSessionMonitoringRequest(
      request(callback, await headers()),
      dependencies(log, logged, metrics),
    );
    expect(response.statusCode).toBe(401);
    expect(JSON.parse(response.body)).toEqual({ error: expect.any(String), message: expect.any(String) });
    expect(log.calls).toEqual([]);
    expect(metrics).toEqual(['VonageCallbacksRejected']);
    expect(logged.join('\n')).not.toContain(SECRET);
    refused += 1;
  });

  afterAll(() => {
    recordFigures({
      id: 'vonage-unsigned-callbacks',
      promise:
        'Vonage callbacks without a valid signature get 401 and change nothing (no store, seat, Vonage API, event or hook call).',
      test: 'test/reliability/vonage-unsigned-callbacks.test.ts',
      figures: { 'unsigned or wrongly signed callbacks': unsigned.length, 'refused with 401 and no effect': refused },
    });
  });
});
