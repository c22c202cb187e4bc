import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import type { RuntimeConfig } from './config';
import type { MomentoKeys } from './momento-sdk-ports';

/** How long a key read from Secrets Manager is kept in memory before it is read again. */
const SECRET_MAX_AGE_SECONDS = 300;

/** A key that cannot be used: missing, empty or unreadable. The message never contains key material. */
export class MomentoKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MomentoKeyError';
  }
}

export type SecretReader = (secretArn: string) => Promise<unknown>;

const readFromSecretsManager: SecretReader = (secretArn) => getSecret(secretArn, { maxAge: SECRET_MAX_AGE_SECONDS });

async function readKey(secretArn: string, label: string, read: SecretReader): Promise<string> {
  let value: unknown;
  try {
    value = await read(secretArn);
  } catch (error) {
    throw new MomentoKeyError(`the ${label} could not be read from ${secretArn}: ${error instanceof Error ? error.name : 'error'}`);
  }
  if (typeof value !== 'string' || value.trim() === '') {
    throw new MomentoKeyError(`the ${label} secret ${secretArn} is empty: put the Momento key in it (aws secretsmanager put-secret-value)`);
  }
  return value.trim();
}

/**
 * The keys this process is configured with: none in local runs (`MOMENTO_LOCAL_ENDPOINT`), otherwise
 * from Secrets Manager (`*_SECRET_ARN`, cached) or, for the subscriber, `MOMENTO_DATA_KEY`.
 */
export async function loadMomentoKeys(config: RuntimeConfig, read: SecretReader = readFromSecretsManager): Promise<MomentoKeys> {
  if (config.momentoLocalEndpoint) return {};
  const dataKey = config.momentoDataKey ?? (config.dataKeySecretArn ? await readKey(config.dataKeySecretArn, 'Momento data key', read) : undefined);
  const authKey = config.authKeySecretArn ? await readKey(config.authKeySecretArn, 'Momento auth key', read) : undefined;
  if (!dataKey) throw new MomentoKeyError('no Momento data key configured: set DATA_KEY_SECRET_ARN or MOMENTO_DATA_KEY');
  return { dataKey, authKey };
}
