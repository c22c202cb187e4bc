import { createHash } from 'node:crypto';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import type { RuntimeConfig } from '../runtime/config';
import { type MomentoKeys } from './momento-clients';
import { MomentoKeyError } from './momento-key-error';

/**
 * How long the Lambdas keep a secret read from Secrets Manager before reading it again: a new key
 * reaches a warm container within this time. A failed read (an empty secret) is not kept.
 */
export const LAMBDA_SECRET_MAX_AGE_SECONDS = 300;

export { MomentoKeyError };

export type SecretReader = (secretArn: string) => Promise<unknown>;

/**
 * Reads a secret through Powertools' cache, keeping a value `maxAgeSeconds`; 0 asks Secrets
 * Manager every time (the subscriber, which reads on its own schedule).
 */
export function secretsManagerReader(maxAgeSeconds: number): SecretReader {
  return (secretArn) =>
    maxAgeSeconds > 0 ? getSecret(secretArn, { maxAge: maxAgeSeconds }) : getSecret(secretArn, { forceFetch: true });
}

const readFromSecretsManager = secretsManagerReader(LAMBDA_SECRET_MAX_AGE_SECONDS);

async function readKey(secretArn: string, label: string, read: SecretReader): Promise<string> {
  let value: unknown;
  try {
    value = await read(secretArn);
  } catch (error) {
    // A secret created empty has no version yet: Secrets Manager answers ResourceNotFoundException.
    throw new MomentoKeyError(
      `the ${label} could not be read from ${secretArn}: ${error instanceof Error ? error.name : 'error'} (is it still empty? put the Momento key in it with aws secretsmanager put-secret-value)`,
    );
  }
  if (typeof value !== 'string' || value.trim() === '') {
    throw new MomentoKeyError(
      `the ${label} secret ${secretArn} is empty: put the Momento key in it (aws secretsmanager put-secret-value)`,
    );
  }
  return value.trim();
}

/**
 * The keys this process is configured with: from Secrets Manager (`*_SECRET_ARN`, read through
 * `read`) or, for the subscriber run by hand, `MOMENTO_DATA_KEY`. A local run
 * (`MOMENTO_LOCAL_ENDPOINT`) may name none (the emulator's local mode); keys it names are sent to
 * the emulator, which verifies them.
 */
export async function loadMomentoKeys(
  config: RuntimeConfig,
  read: SecretReader = readFromSecretsManager,
): Promise<MomentoKeys> {
  const dataKey =
    config.momentoDataKey ??
    (config.dataKeySecretArn ? await readKey(config.dataKeySecretArn, 'Momento data key', read) : undefined);
  const authKey = config.authKeySecretArn
    ? await readKey(config.authKeySecretArn, 'Momento auth key', read)
    : undefined;
  if (!dataKey && !config.momentoLocalEndpoint)
    throw new MomentoKeyError('no Momento data key configured: set DATA_KEY_SECRET_ARN or MOMENTO_DATA_KEY');
  return { dataKey, authKey };
}

/**
 * A digest of secret values, so that a process can tell a new value from the one its clients
 * were built with (key rotation) without comparing or logging the keys themselves.
 */
export function secretsFingerprint(...values: readonly (string | undefined)[]): string {
  const hash = createHash('sha256');
  for (const value of values) hash.update(value === undefined ? '\u0000-' : `\u0001${value.length}:${value}`);
  return hash.digest('hex');
}
