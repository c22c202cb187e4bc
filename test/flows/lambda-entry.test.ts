import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import fs from 'node:fs';
import path from 'node:path';
import { startEmulator, type Emulator } from '../../local/emulator';
import { apiEvent } from '../lambda/support/handler-fixtures';

type Handler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

function event(method: string, path: string, body?: unknown, account = 'entry-acc'): APIGatewayProxyEvent {
  return apiEvent({ method, path, body, claims: { sub: account } });
}

/**
 * The bundle `npm run bundle` wrote for a handler (what a deployment runs), beside its source: the
 * bundle is a different build of the same code (esbuild picks each package's ES module build, drops
 * unused exports), so it is run too.
 */
function bundle(handler: string): string {
  const file = path.resolve(__dirname, '../../assets', handler, 'index.js');
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run npm run bundle`);
  return file;
}

/** The Lambda entry points themselves, configured from the environment as in a deployment. */
describe('Lambda entry points', () => {
  let emulator: Emulator;
  const saved = { ...process.env };
  const silence: jest.SpyInstance[] = [];

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, caches: ['tracker'] });
    silence.push(jest.spyOn(process.stdout, 'write').mockImplementation(() => true));
  });
  afterAll(async () => {
    silence.forEach((spy) => spy.mockRestore());
    process.env = saved;
    await emulator.stop();
  });

  it.each([
    ['source', '../../lambda/token-vending/index', '../../lambda/entitlement/index', 'entry-acc'],
    ['bundle', bundle('token-vending'), bundle('entitlement'), 'entry-bundle-acc'],
  ])(
    'token vending and entitlement (%s) run the engine from their environment',
    async (_build, vending, view, account) => {
      process.env = {
        ...saved,
        CACHE_NAME: 'tracker',
        MOMENTO_LOCAL_ENDPOINT: emulator.address,
        DEFAULT_LIMIT: '1',
        POWERTOOLS_SERVICE_NAME: 'token-vending',
      };
      let tokens: Handler | undefined;
      let entitlement: Handler | undefined;
      jest.isolateModules(() => {
        tokens = require(vending).handler;
        entitlement = require(view).handler;
      });
      const admitted = await tokens!(event('POST', '/tokens', { deviceId: 'tv' }, account));
      expect(admitted.statusCode).toBe(201);
      expect((await tokens!(event('POST', '/tokens', { deviceId: 'phone' }, account))).statusCode).toBe(409);
      const sessions = await entitlement!(event('GET', `/accounts/${account}/sessions`, undefined, account));
      expect(JSON.parse(sessions.body)).toMatchObject({ accountId: account, active: 1, limit: 1, allowed: false });
    },
  );

  it.each([
    [
      'token vending',
      '../../lambda/token-vending/index',
      { CACHE_NAME: '' },
      'CACHE_NAME',
      ['POST', '/tokens', { deviceId: 'tv' }],
    ],
    [
      'entitlement',
      '../../lambda/entitlement/index',
      { CACHE_NAME: '' },
      'CACHE_NAME',
      ['GET', '/accounts/entry-acc/sessions'],
    ],
    [
      'vonage tokens',
      '../../lambda/vonage-tokens/index',
      { CACHE_NAME: 'tracker', VONAGE_APPLICATION_ID: '' },
      'VONAGE_APPLICATION_ID',
      ['POST', '/vonage/tokens', { roomId: 'lesson-1' }],
    ],
    [
      'vonage session monitoring',
      '../../lambda/vonage-session-monitoring/index',
      { CACHE_NAME: 'tracker', VONAGE_APPLICATION_ID: '' },
      'VONAGE_APPLICATION_ID',
      ['POST', '/vonage/session-monitoring', {}],
    ],
    [
      'token vending (bundle)',
      bundle('token-vending'),
      { CACHE_NAME: '' },
      'CACHE_NAME',
      ['POST', '/tokens', { deviceId: 'tv' }],
    ],
    [
      'entitlement (bundle)',
      bundle('entitlement'),
      { CACHE_NAME: '' },
      'CACHE_NAME',
      ['GET', '/accounts/entry-acc/sessions'],
    ],
    [
      'vonage tokens (bundle)',
      bundle('vonage-tokens'),
      { CACHE_NAME: 'tracker', VONAGE_APPLICATION_ID: '' },
      'VONAGE_APPLICATION_ID',
      ['POST', '/vonage/tokens', { roomId: 'lesson-1' }],
    ],
    [
      'vonage session monitoring (bundle)',
      bundle('vonage-session-monitoring'),
      { CACHE_NAME: 'tracker', VONAGE_APPLICATION_ID: '' },
      'VONAGE_APPLICATION_ID',
      ['POST', '/vonage/session-monitoring', {}],
    ],
  ] as const)(
    '%s answers 500 misconfigured, naming the variable in the log, when the environment is wrong',
    async (_name, module, env, variable, request) => {
      process.env = { ...saved, ...env };
      let handler: Handler | undefined;
      jest.isolateModules(() => {
        handler = require(module).handler;
      });
      const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
      try {
        const [method, route, body] = request;
        const result = await handler!(event(method, route, body));
        expect(result.statusCode).toBe(500);
        expect(JSON.parse(result.body)).toEqual({ error: 'misconfigured', message: expect.any(String) });
        expect(String(errors.mock.calls[0]?.[0])).toContain(variable);
      } finally {
        errors.mockRestore();
      }
    },
  );
});
