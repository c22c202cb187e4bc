import { EventBridgeEventSink } from '../adapters/eventbridge-event-sink';
import { parseRuntimeConfig, type RuntimeConfig } from './config';
import { createHandlerDependencies, type HandlerDependencies } from './handler-dependencies';
import {
  LAMBDA_SECRET_MAX_AGE_SECONDS,
  loadMomentoKeys,
  secretsFingerprint,
  secretsManagerReader,
  type SecretReader,
} from '../adapters/momento-credentials';
import { createMomentoPorts, type MomentoKeys } from '../adapters/momento-clients';
import { PowertoolsEngineLogger, PowertoolsEngineMetrics } from '../adapters/powertools-observability';
import { readSessionKeySecret, sessionKeysFrom } from '../adapters/session-key-secret';
import type { AdmissionHook } from '../ports/admission-hook';
import { rotatingRuntime, type RotatingBuild } from './rotating-runtime';

export interface LambdaRuntime {
  readonly deps: HandlerDependencies;
  readonly metrics: PowertoolsEngineMetrics;
  readonly logger: PowertoolsEngineLogger;
}

/** How a container reads its secrets and retires the clients of a replaced key. */
export interface LambdaRuntimeLoaderOptions {
  /** @default - Secrets Manager through Powertools, each value kept 300 s (`LAMBDA_SECRET_MAX_AGE_SECONDS`) */
  readonly readSecret?: SecretReader;
  /**
   * How long the Momento clients of a replaced key stay open for calls already made on them.
   * @default 30 000 ms
   */
  readonly retireAfterMs?: number;
  /**
   * The admission hook for `ADMISSION_HOOK_ARN`. Only token vending admits, so only its entry point
   * passes one (`LambdaAdmissionHook`); the entitlement bundle then leaves the Lambda client out.
   * @default - no hook: `ADMISSION_HOOK_ARN` is not read
   */
  readonly admissionHook?: (functionArn: string) => AdmissionHook;
}

/**
 * A container's runtime, rebuilt when a secret changes. Every invocation reads the secrets
 * (from the reader's cache, so Secrets Manager is asked at most once per max age): while a key is
 * missing or empty the read fails and the route answers 500 `misconfigured`, and the first
 * invocation after the key is put builds the runtime, with no redeploy or restart. When a value
 * differs from the one the runtime was built with (rotation), a new runtime with new Momento
 * clients serves from then on, and the old clients are closed after `retireAfterMs` so calls
 * already made on them finish (`rotatingRuntime`). A failure is not kept, so the next invocation
 * tries again.
 */
export function lambdaRuntimeLoader(
  options: LambdaRuntimeLoaderOptions = {},
): (env?: Record<string, string | undefined>) => Promise<LambdaRuntime> {
  const read = options.readSecret ?? secretsManagerReader(LAMBDA_SECRET_MAX_AGE_SECONDS);
  const runtimeFor = rotatingRuntime<LambdaRuntime>({
    retireAfterMs: options.retireAfterMs ?? 30_000,
    onReplaced: (runtime, retireAfterMs) =>
      runtime.logger.info('a Momento key or the session key secret changed: new clients serve from now on', {
        retireOldClientsInMs: retireAfterMs,
      }),
  });

  return async (env = process.env) => {
    const config = parseRuntimeConfig(env);
    const keys = await loadMomentoKeys(config, read);
    // Only token vending signs grants; the entitlement Lambda has no session key secret to read.
    const signsGrants = Boolean(
      config.authKeySecretArn || config.sessionKeySecretArn || config.sessionKeySecret || config.momentoLocalEndpoint,
    );
    const sessionSecret = signsGrants ? await readSessionKeySecret(config, read) : undefined;
    const secrets = secretsFingerprint(keys.dataKey, keys.authKey, sessionSecret);
    return runtimeFor(secrets, () => build(config, keys, signsGrants, sessionSecret, options.admissionHook));
  };
}

function build(
  config: RuntimeConfig,
  keys: MomentoKeys,
  signsGrants: boolean,
  sessionSecret: string | undefined,
  admissionHook: LambdaRuntimeLoaderOptions['admissionHook'],
): RotatingBuild<LambdaRuntime> {
  const logger = new PowertoolsEngineLogger(config.serviceName);
  const metrics = new PowertoolsEngineMetrics(config);
  const ports = createMomentoPorts(config, keys);
  const deps = createHandlerDependencies(config, ports, {
    sessionKeys: signsGrants ? sessionKeysFrom(config, sessionSecret) : undefined,
    logger,
    metrics,
    events: config.eventBusName
      ? new EventBridgeEventSink(config.eventBusName, undefined, (message, fields) => logger.warn(message, fields))
      : undefined,
    hook: config.admissionHookArn && admissionHook ? admissionHook(config.admissionHookArn) : undefined,
  });
  return { runtime: { deps, metrics, logger }, close: () => ports.close() };
}
