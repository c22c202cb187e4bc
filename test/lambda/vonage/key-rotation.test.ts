import type { APIGatewayProxyEvent } from 'aws-lambda';
import { importSPKI, jwtVerify } from 'jose';
import { quietJsonLines, SecretStoreStandIn } from '../../flows/support/secret-store-stand-in';
import { applicationKeyPair, callbacks, tokenDataOf } from './vonage-harness';
import {
  CALLBACK_SECRET_ARN,
  PRIVATE_KEY_ARN,
  useVonageFunctionEnvironment,
  vonageCallbackJwt,
} from './vonage-function-environment';

/**
 * Secrets Manager behind Powertools' `getSecret`, as the deployed functions read it. Each read
 * returns the latest value: it stands for a read after the 300 s max age ran out (Powertools keeps
 * a value that long; the test checks the functions ask for exactly that max age).
 */
const store = new SecretStoreStandIn();
const getSecretCalls: { arn: string; options: unknown }[] = [];
jest.mock('@aws-lambda-powertools/parameters/secrets', () => ({
  getSecret: (arn: string, options: unknown) => {
    getSecretCalls.push({ arn, options });
    return store.read(arn);
  },
}));

const DATA_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:momento/data-AbCdEf';
/** The old data key stops working at the emulator this long after it is minted (as if revoked at Momento). */
const OLD_DATA_KEY_LIFETIME_S = 5;

function apiEvent(body: string, headers: Record<string, string> = {}): APIGatewayProxyEvent {
  return { body, isBase64Encoded: false, headers, requestContext: {} } as unknown as APIGatewayProxyEvent;
}

describe('Vonage functions pick up rotated secrets without a restart', () => {
  const environment = useVonageFunctionEnvironment({
    DATA_KEY_SECRET_ARN: DATA_ARN,
    ACCOUNT_SOURCE: 'iam',
    POWERTOOLS_LOG_LEVEL: 'INFO',
  });
  const { vonage } = environment;
  let quiet: ReturnType<typeof quietJsonLines>;

  beforeAll(() => {
    quiet = quietJsonLines();
  });
  afterAll(() => {
    quiet.restore();
  });

  it('uses the new data key, private key and callback secret once they are put, and no longer accepts the old callback secret', async () => {
    const { handler: tokens } = await import('../../../lambda/vonage-tokens/index');
    const { handler: callback } = await import('../../../lambda/vonage-session-monitoring/index');
    const { handler: durationCheck } = await import('../../../lambda/vonage-duration-check/index');
    const first = applicationKeyPair();
    const second = applicationKeyPair();
    store.put(DATA_ARN, environment.emulator.createApiKey({ validForSeconds: OLD_DATA_KEY_LIFETIME_S }));
    const oldDataKeyDeadAt = Date.now() + OLD_DATA_KEY_LIFETIME_S * 1000;
    store.put(PRIVATE_KEY_ARN, first.privateKey);
    store.put(CALLBACK_SECRET_ARN, 'callback-secret-before-rotation');

    const requestToken = async (roomId: string, userId: string) => {
      const answer = await tokens(apiEvent(JSON.stringify({ roomId, accountId: userId })));
      expect(answer.statusCode).toBe(200);
      return JSON.parse(answer.body) as { token: string; sessionId: string };
    };
    const signedCallback = async (room: { token: string; sessionId: string }, secret: string) => {
      const payload = JSON.stringify(
        callbacks.connectionCreated(room.sessionId, callbacks.connectionId(), tokenDataOf(room.token), Date.now()),
      );
      const jwt = await vonageCallbackJwt(payload, secret);
      const answer = await callback(apiEvent(payload, { authorization: `Bearer ${jwt}` }));
      return { status: answer.statusCode, body: JSON.parse(answer.body) as Record<string, unknown> };
    };
    /** Whether the last session create Vonage received was signed with this key pair's private key. */
    const lastVonageCallSignedBy = async (publicKey: string): Promise<boolean> => {
      const call = vonage.calls.filter((c) => c.path === '/session/create').at(-1)!;
      const jwt = call.authorization!.replace(/^Bearer /, '');
      try {
        await jwtVerify(jwt, await importSPKI(publicKey, 'RS256'));
        return true;
      } catch {
        return false;
      }
    };

    // Before: the first values serve.
    const before = await requestToken('open-before', 'dana');
    expect(await lastVonageCallSignedBy(first.publicKey)).toBe(true);
    expect(await signedCallback(before, 'callback-secret-before-rotation')).toEqual({
      status: 200,
      body: { status: 'seated' },
    });
    expect(await durationCheck()).toEqual(expect.objectContaining({ roomsEnded: 0 }));

    // Rotation: new values in all three secrets; the old data key stops working at the emulator.
    store.put(DATA_ARN, environment.emulator.createApiKey());
    store.put(PRIVATE_KEY_ARN, second.privateKey);
    store.put(CALLBACK_SECRET_ARN, 'callback-secret-after-rotation');
    while (Date.now() < oldDataKeyDeadAt + 500) await new Promise((resolve) => setTimeout(resolve, 100));

    // After, in the same containers: new Momento clients (the old key is dead), the new private key
    // signs the Vonage calls, the new callback secret is the one accepted.
    const after = await requestToken('open-after', 'erin');
    expect(await lastVonageCallSignedBy(second.publicKey)).toBe(true);
    expect(await lastVonageCallSignedBy(first.publicKey)).toBe(false);
    expect(await signedCallback(after, 'callback-secret-after-rotation')).toEqual({
      status: 200,
      body: { status: 'seated' },
    });
    const withOldSecret = await signedCallback(after, 'callback-secret-before-rotation');
    expect(withOldSecret.status).toBe(401);
    expect(await durationCheck()).toEqual(expect.objectContaining({ roomsEnded: 0 }));

    const rebuilt = quiet.lines.filter((line) =>
      String(line.message).startsWith('a Momento key or a Vonage secret changed'),
    );
    // One per runtime: the callbacks', and the one the token route and the duration check share in
    // this process (same secrets; deployed, each function is a container of its own).
    expect(rebuilt).toHaveLength(2);
    // Every read asks Powertools to keep the value at most the Lambdas' max age (300 s).
    expect(getSecretCalls.length).toBeGreaterThan(0);
    expect(new Set(getSecretCalls.map((call) => JSON.stringify(call.options)))).toEqual(
      new Set([JSON.stringify({ maxAge: 300 })]),
    );
    // No secret value ever reached a log line.
    const logged = JSON.stringify(quiet.lines);
    for (const secret of [
      'callback-secret-before-rotation',
      'callback-secret-after-rotation',
      first.privateKey,
      second.privateKey,
    ])
      expect(logged).not.toContain(secret);
  }, 60_000);

  it('answers 500 misconfigured while a secret is empty, and serves once it is put, without a restart', async () => {
    const { handler: tokens } = await import('../../../lambda/vonage-tokens/index');
    store.put(PRIVATE_KEY_ARN, '   ');
    const empty = await tokens(apiEvent(JSON.stringify({ roomId: 'open-empty', accountId: 'finn' })));
    expect(empty.statusCode).toBe(500);
    expect(JSON.parse(empty.body)).toEqual(expect.objectContaining({ error: 'misconfigured' }));
    store.put(PRIVATE_KEY_ARN, applicationKeyPair().privateKey);
    expect((await tokens(apiEvent(JSON.stringify({ roomId: 'open-empty', accountId: 'finn' })))).statusCode).toBe(200);
  });
});
