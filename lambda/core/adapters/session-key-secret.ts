import type { RuntimeConfig } from '../runtime/config';
import { LAMBDA_SECRET_MAX_AGE_SECONDS, secretsManagerReader, type SecretReader } from './momento-credentials';
import { MIN_SESSION_KEY_SECRET_LENGTH, processSessionKeySecret, SessionKeys } from '../messages/session-key';

/** The session key secret cannot be used: missing, too short or unreadable. Never contains it. */
export class SessionKeySecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SessionKeySecretError';
  }
}

// Kept in memory as long as the Momento keys.
const readFromSecretsManager = secretsManagerReader(LAMBDA_SECRET_MAX_AGE_SECONDS);

function keysFrom(secret: string, where: string): SessionKeys {
  if (secret.length < MIN_SESSION_KEY_SECRET_LENGTH) {
    throw new SessionKeySecretError(
      `the session key secret in ${where} is shorter than ${MIN_SESSION_KEY_SECRET_LENGTH} characters`,
    );
  }
  return new SessionKeys(secret);
}

/**
 * The session keys of a process that can run in one process with the others (playground, tests,
 * benchmarks): `SESSION_KEY_SECRET` when set, otherwise the per-process random secret.
 */
export function inProcessSessionKeys(config: Pick<RuntimeConfig, 'sessionKeySecret'>): SessionKeys {
  return config.sessionKeySecret
    ? keysFrom(config.sessionKeySecret, 'SESSION_KEY_SECRET')
    : new SessionKeys(processSessionKeySecret());
}

/**
 * The session key secret of a deployed process: `SESSION_KEY_SECRET` when set (local runs, tests),
 * otherwise read by ARN from Secrets Manager (token vending and the subscriber, through `read`).
 * Undefined in a local run (`MOMENTO_LOCAL_ENDPOINT`) that names neither (the per-process secret);
 * a deployed one fails with what to set.
 */
export async function readSessionKeySecret(
  config: RuntimeConfig,
  read: SecretReader = readFromSecretsManager,
): Promise<string | undefined> {
  if (config.sessionKeySecret) return config.sessionKeySecret;
  if (config.sessionKeySecretArn) {
    let value: unknown;
    try {
      value = await read(config.sessionKeySecretArn);
    } catch (error) {
      throw new SessionKeySecretError(
        `the session key secret could not be read from ${config.sessionKeySecretArn}: ${error instanceof Error ? error.name : 'error'}`,
      );
    }
    if (typeof value !== 'string' || value.trim() === '')
      throw new SessionKeySecretError(`the session key secret ${config.sessionKeySecretArn} is empty`);
    return value.trim();
  }
  if (config.momentoLocalEndpoint) return undefined;
  throw new SessionKeySecretError('no session key secret configured: set SESSION_KEY_SECRET_ARN or SESSION_KEY_SECRET');
}

/** The session keys over {@link readSessionKeySecret}'s secret. */
export function sessionKeysFrom(config: RuntimeConfig, secret: string | undefined): SessionKeys {
  if (secret === undefined) return inProcessSessionKeys(config);
  return keysFrom(
    secret,
    config.sessionKeySecret ? 'SESSION_KEY_SECRET' : (config.sessionKeySecretArn ?? 'SESSION_KEY_SECRET'),
  );
}

/** The session keys of a deployed process ({@link readSessionKeySecret}). */
export async function loadSessionKeys(
  config: RuntimeConfig,
  read: SecretReader = readFromSecretsManager,
): Promise<SessionKeys> {
  return sessionKeysFrom(config, await readSessionKeySecret(config, read));
}
