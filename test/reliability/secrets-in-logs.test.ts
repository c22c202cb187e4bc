import type * as SecretsManagerModule from '@aws-sdk/client-secrets-manager';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import { recordFigures } from './figures';
import { SubscriberProcess } from './harness/subscriber-process';
import { toApiGatewayEvent } from './requests/api-request';
import { validListRequest } from './requests/session-bad-requests';
import { validTokenRequest } from './requests/token-bad-requests';
import { findKeyMaterial } from './secrets/key-material';

// No key material in any log line: the handlers and the subscriber run with real-looking Momento
// keys (from a mocked Secrets Manager, or the subscriber's ECS secret variable) that point at an
// unreachable endpoint, so every error path that could quote a key or a config runs, and every
// line they write is captured (Powertools writes to process.stdout, not through console).
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** A key the Momento SDK accepts (legacy JWT form) whose endpoints cannot resolve. */
const canaryKey = (name: string) =>
  `${b64({ alg: 'HS512' })}.${b64({ sub: `canary-${name}`, c: 'cache.canary.invalid', cp: 'control.canary.invalid' })}.${Buffer.from(`canary-${name}-signature-0123456789`).toString('base64url')}`;
const AUTH_KEY = canaryKey('auth');
const DATA_KEY = canaryKey('data');
/** A v2 API key as the Momento console creates them now (a JWT with `t: "g"`, no endpoint). */
const v2CanaryKey = (name: string) =>
  `${b64({ alg: 'HS512', typ: 'JWT' })}.${b64({ t: 'g', jti: `canary-${name}` })}.${Buffer.from(`canary-${name}-v2-signature-0123456789`).toString('base64url')}`;
const V2_AUTH_KEY = v2CanaryKey('auth');
const V2_DATA_KEY = v2CanaryKey('data');
const AUTH_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:momento-auth-AbCdEf';
const DATA_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:momento-data-AbCdEf';
/** The per-session key secret (what CDK generates), planted like the keys. */
const SESSION_SECRET = `canary-session-secret-${'0123456789abcdef'.repeat(3)}`;
const SESSION_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:session-key-AbCdEf';

const captured: string[] = [];
const savedEnv = { ...process.env };
let requestCounter = 0;

beforeAll(() => {
  Object.assign(process.env, {
    AWS_REGION: 'eu-west-1',
    CACHE_NAME: 'tracker',
    AUTH_KEY_SECRET_ARN: AUTH_ARN,
    DATA_KEY_SECRET_ARN: DATA_ARN,
    SESSION_KEY_SECRET_ARN: SESSION_ARN,
    ACCOUNT_SOURCE: 'iam',
    MOMENTO_TIMEOUT_MS: '500',
    FAILURE_MODE: 'closed',
    POWERTOOLS_METRICS_NAMESPACE: 'Reliability',
  });
  delete process.env.MOMENTO_LOCAL_ENDPOINT;
  delete process.env.POWERTOOLS_DEV;
  const keep = (stream: NodeJS.WriteStream) =>
    jest.spyOn(stream, 'write').mockImplementation(((chunk: string | Uint8Array) => {
      captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    }) as typeof stream.write);
  keep(process.stdout);
  keep(process.stderr);
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    jest
      .spyOn(console, level)
      .mockImplementation((...args: unknown[]) => void captured.push(args.map(String).join(' ')));
  }
});
afterAll(() => {
  jest.restoreAllMocks();
  process.env = savedEnv;
});

type Handler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

type SecretsStub = AwsStub<
  SecretsManagerModule.ServiceInputTypes,
  SecretsManagerModule.ServiceOutputTypes,
  SecretsManagerModule.SecretsManagerClientResolvedConfig
>;
type SecretsSetup = (stub: SecretsStub, sm: typeof SecretsManagerModule) => void;

/** Secrets Manager holds `authKey` and `dataKey` as the Momento keys, and the session key secret. */
const keysInSecrets =
  (authKey: string, dataKey: string): SecretsSetup =>
  (stub, sm) => {
    stub.on(sm.GetSecretValueCommand, { SecretId: AUTH_ARN }).resolves({ SecretString: authKey });
    stub.on(sm.GetSecretValueCommand, { SecretId: DATA_ARN }).resolves({ SecretString: dataKey });
    stub.on(sm.GetSecretValueCommand, { SecretId: SESSION_ARN }).resolves({ SecretString: SESSION_SECRET });
  };

/**
 * The Lambda entry points, loaded fresh so each scenario builds its runtime from scratch, with
 * Secrets Manager mocked inside the same module registry (a mock from outside would not apply).
 */
function loadHandlers(setup: SecretsSetup): { tokens: Handler; entitlement: Handler } {
  let loaded: { tokens: Handler; entitlement: Handler } | undefined;
  jest.isolateModules(() => {
    const sm = require('@aws-sdk/client-secrets-manager') as typeof SecretsManagerModule;
    setup(mockClient(sm.SecretsManagerClient), sm);
    loaded = {
      tokens: (require('../../lambda/token-vending/index') as { handler: Handler }).handler,
      entitlement: (require('../../lambda/entitlement/index') as { handler: Handler }).handler,
    };
  });
  if (!loaded) throw new Error('handlers not loaded');
  return loaded;
}

async function exercise(handlers: { tokens: Handler; entitlement: Handler }): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < 2; i += 1) {
    const token = await handlers.tokens(
      toApiGatewayEvent(
        validTokenRequest('iam', { accountId: 'acct-secrets', deviceId: `device-${i}`, claim: 'sub' }),
        `s-${(requestCounter += 1)}`,
      ),
    );
    const list = await handlers.entitlement(
      toApiGatewayEvent(
        validListRequest('iam', { accountId: 'acct-secrets', sessionId: 'x', claim: 'sub' }),
        `s-${(requestCounter += 1)}`,
      ),
    );
    statuses.push(token.statusCode, list.statusCode);
  }
  return statuses;
}

const scenarios: Record<string, number[]> = {};

/**
 * Runs the subscriber process with `dataKey` until `done` says so, it exits, or 45 s have passed (a
 * busy machine takes seconds just to start it); then stops it, keeps its lines and records its
 * exit code as `scenario`.
 */
async function runSubscriber(
  dataKey: string,
  scenario: string,
  done: (child: SubscriberProcess) => boolean,
): Promise<SubscriberProcess> {
  const child = SubscriberProcess.start({
    CACHE_NAME: 'tracker',
    MOMENTO_DATA_KEY: dataKey,
    SESSION_KEY_SECRET: SESSION_SECRET,
    HEALTH_PORT: '0',
    AWS_REGION: 'eu-west-1',
  });
  const deadline = Date.now() + 45_000;
  while (!done(child) && child.exit === undefined && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 100));
  const exit = await child.stop();
  captured.push(...child.lines, ...child.stderr);
  scenarios[scenario] = [exit.code ?? -1];
  return child;
}

describe('no key material in any captured log line', () => {
  it('the capture works: a planted key in a Powertools log line is found', () => {
    const before = captured.length;
    process.stdout.write(`{"level":"INFO","message":"planted","key":"${DATA_KEY}"}\n`);
    expect(findKeyMaterial(captured.slice(before).join('\n'), [DATA_KEY])).not.toEqual([]);
    captured.length = before;
  });

  it('handlers with keys from Secrets Manager and Momento unreachable', async () => {
    const handlers = loadHandlers(keysInSecrets(AUTH_KEY, DATA_KEY));
    scenarios['keys loaded, Momento unreachable'] = await exercise(handlers);
    expect(scenarios['keys loaded, Momento unreachable'].every((s) => s >= 500)).toBe(true);
  });

  it('handlers whose secrets are empty or unreadable', async () => {
    const handlers = loadHandlers((stub, sm) => {
      stub.on(sm.GetSecretValueCommand, { SecretId: AUTH_ARN }).resolves({ SecretString: '   ' });
      stub
        .on(sm.GetSecretValueCommand, { SecretId: DATA_ARN })
        .rejects(Object.assign(new Error(`AccessDenied while reading ${DATA_KEY}`), { name: 'AccessDeniedException' }));
    });
    scenarios['secret empty or unreadable'] = await exercise(handlers);
    expect(scenarios['secret empty or unreadable'].every((s) => s >= 500)).toBe(true);
  });

  it('handlers with v2 keys and no MOMENTO_ENDPOINT fail at start naming momentoEndpoint', async () => {
    const handlers = loadHandlers(keysInSecrets(V2_AUTH_KEY, V2_DATA_KEY));
    const before = captured.length;
    scenarios['v2 keys, no endpoint'] = await exercise(handlers);
    expect(scenarios['v2 keys, no endpoint'].every((s) => s === 500)).toBe(true);
    expect(captured.slice(before).join('\n')).toMatch(
      /v2 API key, which does not carry its endpoint: set the construct's momentoEndpoint prop/,
    );
  });

  it('handlers with v2 keys and an unreachable MOMENTO_ENDPOINT, and with a key pasted as JSON', async () => {
    process.env.MOMENTO_ENDPOINT = 'canary.invalid';
    try {
      const handlers = loadHandlers(keysInSecrets(V2_AUTH_KEY, V2_DATA_KEY));
      scenarios['v2 keys, endpoint unreachable'] = await exercise(handlers);
      expect(scenarios['v2 keys, endpoint unreachable'].every((s) => s >= 500)).toBe(true);
      const pasted = loadHandlers(keysInSecrets(JSON.stringify({ apiKey: V2_AUTH_KEY }), `"${V2_DATA_KEY}"`));
      scenarios['keys pasted as JSON or in quotes'] = await exercise(pasted);
      expect(scenarios['keys pasted as JSON or in quotes'].every((s) => s === 500)).toBe(true);
    } finally {
      delete process.env.MOMENTO_ENDPOINT;
    }
  });

  it('the subscriber process with its data key set and Momento unreachable', async () => {
    // Until it has logged its failed connection attempts.
    const child = await runSubscriber(
      DATA_KEY,
      'subscriber, key set, Momento unreachable',
      (c) => c.lines.length + c.stderr.length >= 3,
    );
    expect(child.lines.length).toBeGreaterThan(0);
  });

  it('the subscriber process with a v2 data key and no MOMENTO_ENDPOINT logs what to set, not the key', async () => {
    // Powertools writes errors to stderr.
    const said = (c: SubscriberProcess) =>
      c.stderr.some((line) => line.includes("set the construct's momentoEndpoint prop"));
    const child = await runSubscriber(V2_DATA_KEY, 'subscriber, v2 key, no endpoint', said);
    expect(said(child)).toBe(true);
  });

  it('none of the captured lines holds a key or a fragment of one', () => {
    const text = captured.join('\n');
    const findings = findKeyMaterial(text, [AUTH_KEY, DATA_KEY, V2_AUTH_KEY, V2_DATA_KEY, SESSION_SECRET]);
    recordFigures({
      id: 'secrets-in-logs',
      promise:
        'No key material in any captured log line: the handlers and the subscriber, run with real-looking keys against an unreachable Momento, never write a key or a fragment of one.',
      test: 'test/reliability/secrets-in-logs.test.ts',
      figures: {
        'log lines captured': text.split('\n').filter((l) => l.trim() !== '').length,
        'scenarios (HTTP statuses / exit code)': Object.entries(scenarios)
          .map(([name, s]) => `${name}: ${s.join(',')}`)
          .join('; '),
        'lines with key material': findings.length,
      },
    });
    expect(text.length).toBeGreaterThan(0);
    expect(findings).toEqual([]);
  });
});
