import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { payloadHash } from '../../../lambda/vonage/callback-signature';
import { startEmulator, type Emulator } from '../../../local/emulator';
import { APPLICATION_ID, CACHE_NAME, TEST_POLICIES } from './vonage-harness';
import { VonageStandIn } from './vonage-stand-in';

export const PRIVATE_KEY_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:vonage/private-key-AbCdEf';
export const CALLBACK_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:vonage/signature-AbCdEf';

/** What the deployed Vonage functions reach: Momento (the emulator) and Vonage's REST API (the stand-in). */
export interface VonageFunctionEnvironment {
  /** Started before the file's tests: read it inside tests, not at module load. */
  readonly emulator: Emulator;
  readonly vonage: VonageStandIn;
}

/**
 * For one test file: starts the emulator and the Vonage stand-in and sets `process.env` as the
 * deployed Vonage functions read it (secrets by these ARNs, metrics off), plus `env` (the account
 * source, the log level, other secrets); afterwards restores `process.env` and stops both.
 */
export function useVonageFunctionEnvironment(env: Record<string, string>): VonageFunctionEnvironment {
  const saved = { ...process.env };
  const environment = { vonage: new VonageStandIn() } as { emulator: Emulator; vonage: VonageStandIn };
  beforeAll(async () => {
    environment.emulator = await startEmulator({ port: 0, caches: [CACHE_NAME] });
    await environment.vonage.start();
    Object.assign(process.env, {
      CACHE_NAME,
      MOMENTO_LOCAL_ENDPOINT: environment.emulator.address,
      VONAGE_APPLICATION_ID: APPLICATION_ID,
      VONAGE_PRIVATE_KEY_SECRET_ARN: PRIVATE_KEY_ARN,
      VONAGE_CALLBACK_SECRET_ARN: CALLBACK_SECRET_ARN,
      VONAGE_VIDEO_HOST: environment.vonage.url,
      VONAGE_ROOM_POLICIES: JSON.stringify(TEST_POLICIES),
      POWERTOOLS_METRICS_DISABLED: 'true',
      ...env,
    });
  });
  afterAll(async () => {
    process.env = saved;
    await environment.vonage.stop();
    await environment.emulator.stop();
  });
  return environment;
}

/** The JWT Vonage signs a callback body with (HS256, now, a fresh jti), under this callback secret. */
export function vonageCallbackJwt(body: string, secret: string): Promise<string> {
  return new SignJWT({ payload_hash: payloadHash(body), application_id: APPLICATION_ID })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setJti(randomUUID())
    .sign(new TextEncoder().encode(secret));
}
