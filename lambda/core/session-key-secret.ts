import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import type { RuntimeConfig } from './config';
import type { SecretReader } from './momento-credentials';
import { MIN_SESSION_KEY_SECRET_LENGTH, processSessionKeySecret, SessionKeys } from './session-key';

/** Kept in memory this long before Secrets Manager is asked again (as the Momento keys). */
const SECRET_MAX_AGE_SECONDS = 300;

/** The session key secret cannot be used: missing, too short or unreadable. Never contains it. */
export class SessionKeySecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SessionKeySecretError';
  }
}

const readFromSecretsManager: SecretReader = (secretArn) => getSecret(secretArn, { maxAge: SECRET_MAX_AGE_SECONDS });

function keysFrom(secret: string, where: string): SessionKeys {
  if (secret.length < MIN_SESSION_KEY_SECRET_LENGTH) {
    throw new SessionKeySecretError(`the session key secret in ${where} is shorter than ${MIN_SESSION_KEY_SECRET_LENGTH} characters`);
  }
  return new SessionKeys(secret);
}

/**
 * The session keys of a process that can run in one process with the others (playground, tests,
 * benchmarks): `SESSION_KEY_SECRET` when set, otherwise the per-process random secret.
 */
export function inProcessSessionKeys(config: Pick<RuntimeConfig, 'sessionKeySecret'>): SessionKeys {
  return config.sessionKeySecret ? keysFrom(config.sessionKeySecret, 'SESSION_KEY_SECRET') : new SessionKeys(processSessionKeySecret());
}

/**
 * The session keys of a deployed process: from `SESSION_KEY_SECRET` (the subscriber, injected by
 * ECS), or read by ARN from Secrets Manager (token vending, cached). A local run (`MOMENTO_LOCAL_ENDPOINT`)
 * that names neither uses the per-process random secret; a deployed one fails with what to set.
 */
export async function loadSessionKeys(config: RuntimeConfig, read: SecretReader = readFromSecretsManager): Promise<SessionKeys> {
  if (config.sessionKeySecret) return keysFrom(config.sessionKeySecret, 'SESSION_KEY_SECRET');
  if (config.sessionKeySecretArn) {
    let value: unknown;
    try {
      value = await read(config.sessionKeySecretArn);
    } catch (error) {
      throw new SessionKeySecretError(`the session key secret could not be read from ${config.sessionKeySecretArn}: ${error instanceof Error ? error.name : 'error'}`);
    }
    if (typeof value !== 'string' || value.trim() === '') throw new SessionKeySecretError(`the session key secret ${config.sessionKeySecretArn} is empty`);
    return keysFrom(value.trim(), config.sessionKeySecretArn);
  }
  if (config.momentoLocalEndpoint) return inProcessSessionKeys(config);
  throw new SessionKeySecretError('no session key secret configured: set SESSION_KEY_SECRET_ARN or SESSION_KEY_SECRET');
}
