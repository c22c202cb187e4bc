import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { applicationKeyPair, CALLBACK_SECRET, callbacks, tokenDataOf } from './vonage-harness';
import {
  CALLBACK_SECRET_ARN,
  PRIVATE_KEY_ARN,
  useVonageFunctionEnvironment,
  vonageCallbackJwt,
} from './vonage-function-environment';

/**
 * The three Lambda entry points as deployed: configuration from the environment, secrets from
 * Secrets Manager (mocked), Momento through the emulator, Vonage through the stand-in.
 */
describe('Vonage Lambda handlers', () => {
  const secrets = mockClient(SecretsManagerClient);
  const { vonage } = useVonageFunctionEnvironment({
    ACCOUNT_SOURCE: 'claim',
    ACCOUNT_CLAIM: 'sub',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  });
  const privateKey = applicationKeyPair().privateKey;

  beforeAll(() => {
    secrets.on(GetSecretValueCommand, { SecretId: PRIVATE_KEY_ARN }).resolves({ SecretString: privateKey });
    secrets.on(GetSecretValueCommand, { SecretId: CALLBACK_SECRET_ARN }).resolves({ SecretString: CALLBACK_SECRET });
  });
  afterAll(() => {
    secrets.restore();
  });

  function apiEvent(body: unknown, extra: Partial<APIGatewayProxyEvent> = {}): APIGatewayProxyEvent {
    return {
      body: JSON.stringify(body),
      isBase64Encoded: false,
      headers: {},
      requestContext: {},
      ...extra,
    } as unknown as APIGatewayProxyEvent;
  }

  it('vends a token to the verified caller, seats the signed connection, and runs the duration check', async () => {
    const { handler: tokens } = await import('../../../lambda/vonage-tokens/index');
    const { handler: callback } = await import('../../../lambda/vonage-session-monitoring/index');
    const { handler: durationCheck } = await import('../../../lambda/vonage-duration-check/index');

    // Without the claim the authoriser passes on, nobody is admitted.
    expect((await tokens(apiEvent({ roomId: 'open-handlers' }))).statusCode).toBe(401);
    const response = await tokens(
      apiEvent({ roomId: 'open-handlers' }, { requestContext: { authorizer: { claims: { sub: 'dana' } } } } as never),
    );
    expect(response.statusCode).toBe(200);
    const body = JSON.parse(response.body) as { token: string; sessionId: string };
    expect(JSON.parse(tokenDataOf(body.token))).toMatchObject({ user: 'dana', room: 'open-handlers' });

    const connectionId = callbacks.connectionId();
    const payload = JSON.stringify(
      callbacks.connectionCreated(body.sessionId, connectionId, tokenDataOf(body.token), Date.now()),
    );
    const sign = () => vonageCallbackJwt(payload, CALLBACK_SECRET);
    const jwt = await sign();
    /** Posts the callback body with these headers. */
    const post = (headers: Record<string, string>) =>
      callback({ ...apiEvent({}), body: payload, headers } as unknown as APIGatewayProxyEvent);
    const unsigned = await post({});
    expect(unsigned.statusCode).toBe(401);
    const signed = await post({ authorization: `Bearer ${jwt}` });
    expect(JSON.parse(signed.body)).toEqual({ status: 'seated' });
    // Vonage retries (a new signature): the seat is already in Momento.
    const retried = await post({ Authorization: `Bearer ${await sign()}` });
    expect(JSON.parse(retried.body)).toEqual({ status: 'duplicate' });
    // The same signed request again (a replay): not acted on.
    const replayed = await post({ Authorization: `Bearer ${jwt}` });
    expect(JSON.parse(replayed.body)).toEqual({ status: 'replayed' });

    expect(await durationCheck()).toEqual({ roomsEnded: 0, disconnected: 0, retried: 0 });
    expect(vonage.calls.map((c) => c.path)).toEqual(['/session/create']);
  });
});
