import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { startEmulator, type Emulator } from '../../local/emulator';
import { apiEvent } from '../lambda/support/handler-fixtures';

type Handler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

function event(method: string, path: string, body?: unknown): APIGatewayProxyEvent {
  return apiEvent({ method, path, body, claims: { sub: 'entry-acc' } });
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

  it('token vending and entitlement run the engine from their environment', async () => {
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
      tokens = require('../../lambda/token-vending/index').handler;
      entitlement = require('../../lambda/entitlement/index').handler;
    });
    const admitted = await tokens!(event('POST', '/tokens', { deviceId: 'tv' }));
    expect(admitted.statusCode).toBe(201);
    expect((await tokens!(event('POST', '/tokens', { deviceId: 'phone' }))).statusCode).toBe(409);
    const view = await entitlement!(event('GET', '/accounts/entry-acc/sessions'));
    expect(JSON.parse(view.body)).toMatchObject({ accountId: 'entry-acc', active: 1, limit: 1, allowed: false });
  });

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
        const [method, path, body] = request;
        const result = await handler!(event(method, path, body));
        expect(result.statusCode).toBe(500);
        expect(JSON.parse(result.body)).toEqual({ error: 'misconfigured', message: expect.any(String) });
        expect(String(errors.mock.calls[0]?.[0])).toContain(variable);
      } finally {
        errors.mockRestore();
      }
    },
  );
});
