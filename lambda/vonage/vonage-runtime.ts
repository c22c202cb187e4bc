import { randomUUID } from 'node:crypto';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { LambdaAdmissionHook } from '../core/adapters/lambda-admission-hook';
import { parseRuntimeConfig, type RuntimeConfig } from '../core/runtime/config';
import { EventBridgeEventSink } from '../core/adapters/eventbridge-event-sink';
import { noEvents } from '../core/ports/lifecycle-event-sink';
import {
  LAMBDA_SECRET_MAX_AGE_SECONDS,
  loadMomentoKeys,
  secretsFingerprint,
  secretsManagerReader,
  type SecretReader,
} from '../core/adapters/momento-credentials';
import { createMomentoPorts, type MomentoKeys } from '../core/adapters/momento-clients';
import { PowertoolsEngineLogger, PowertoolsEngineMetrics } from '../core/adapters/powertools-observability';
import { rotatingRuntime, type RotatingBuild } from '../core/runtime/rotating-runtime';
import { RoomSeats } from './room-seats';
import { parseVonageConfig, type VonageConfig } from './vonage-config';
import type { VonageDependencies } from './vonage-dependencies';
import { vonageVideoEnforcement } from './vonage-enforcement';

export interface VonageRuntime {
  readonly deps: VonageDependencies;
  /** Writes the invocation's metrics (one EMF line). */
  flush(): void;
}

/** Which secrets a function reads: each function is granted only its own. */
export interface VonageSecretNeeds {
  readonly privateKey: boolean;
  readonly callbackSecret: boolean;
}

/** How a container reads its secrets and retires the clients of a replaced key (as the tracker's Lambdas). */
export interface VonageRuntimeLoaderOptions {
  /** @default - Secrets Manager through Powertools, each value kept 300 s (`LAMBDA_SECRET_MAX_AGE_SECONDS`) */
  readonly readSecret?: SecretReader;
  /**
   * How long the Momento clients of a replaced key stay open for calls already made on them.
   * @default 30 000 ms
   */
  readonly retireAfterMs?: number;
}

/** The secret values a runtime was built with. */
interface VonageSecrets {
  readonly keys: MomentoKeys;
  readonly privateKey: string;
  readonly callbackSecret: string;
}

/**
 * A Vonage function's runtime, rebuilt when a secret changes, the way the tracker's Lambdas do it
 * (both through lambda/core/runtime/rotating-runtime.ts): every invocation reads the Momento keys,
 * the Vonage private key and the callback secret this function needs (from the reader's cache, so
 * Secrets Manager is asked at most once per max age); when a value differs from the one the runtime
 * was built with, a new runtime (new Momento clients, a Vonage client with the new private key, the
 * new callback secret) serves from then on, and the old Momento clients are closed after
 * `retireAfterMs` so calls already made on them finish. A failure is not kept, so the next
 * invocation tries again.
 */
export function vonageRuntimeLoader(
  needs: VonageSecretNeeds,
  options: VonageRuntimeLoaderOptions = {},
): (env?: Record<string, string | undefined>) => Promise<VonageRuntime> {
  const read = options.readSecret ?? secretsManagerReader(LAMBDA_SECRET_MAX_AGE_SECONDS);
  const runtimeFor = rotatingRuntime<VonageRuntime>({
    retireAfterMs: options.retireAfterMs ?? 30_000,
    onReplaced: (runtime, retireAfterMs) =>
      runtime.deps.logger.info('a Momento key or a Vonage secret changed: new clients serve from now on', {
        retireOldClientsInMs: retireAfterMs,
      }),
  });

  return async (env = process.env) => {
    const tracker = parseRuntimeConfig(env);
    const config = parseVonageConfig(env, tracker.defaultLimit);
    const values: VonageSecrets = {
      keys: await loadMomentoKeys(tracker, read),
      privateKey: needs.privateKey
        ? await readSecret(
            read,
            config.privateKeySecretArn,
            'VONAGE_PRIVATE_KEY_SECRET_ARN',
            'the Vonage application private key (PEM)',
          )
        : '',
      callbackSecret: needs.callbackSecret
        ? await readSecret(
            read,
            config.callbackSecretArn,
            'VONAGE_CALLBACK_SECRET_ARN',
            'the session-monitoring signature secret',
          )
        : '',
    };
    const secrets = secretsFingerprint(
      values.keys.dataKey,
      values.keys.authKey,
      values.privateKey,
      values.callbackSecret,
    );
    return runtimeFor(secrets, () => build(tracker, config, values));
  };
}

function build(tracker: RuntimeConfig, config: VonageConfig, values: VonageSecrets): RotatingBuild<VonageRuntime> {
  const logger = new PowertoolsEngineLogger(tracker.serviceName);
  const metrics = new PowertoolsEngineMetrics(tracker);
  const ports = createMomentoPorts(tracker, values.keys);
  const deps: VonageDependencies = {
    config,
    account: { source: tracker.accountSource, claim: tracker.accountClaim },
    callbackSecret: values.callbackSecret,
    cache: ports.cache,
    seats: new RoomSeats(ports.cache, config.reservationSeconds, config.seatSeconds),
    vonage: vonageVideoEnforcement({
      applicationId: config.applicationId,
      privateKey: values.privateKey,
      videoHost: config.videoHost,
    }),
    hook: tracker.admissionHookArn ? new LambdaAdmissionHook(tracker.admissionHookArn) : undefined,
    events: tracker.eventBusName
      ? new EventBridgeEventSink(tracker.eventBusName, undefined, (message, fields) => logger.warn(message, fields))
      : noEvents,
    // Vonage metric names go to the same namespace and dimension as the engine's.
    metrics: { count: (name, value = 1) => metrics.metrics.addMetric(name, MetricUnit.Count, value) },
    logger,
    now: () => Date.now(),
    newId: () => randomUUID(),
  };
  return { runtime: { deps, flush: () => metrics.flush() }, close: () => ports.close() };
}

async function readSecret(
  read: SecretReader,
  arn: string | undefined,
  variable: string,
  what: string,
): Promise<string> {
  if (!arn) throw new Error(`${variable} is not set: this function needs ${what}`);
  let value: unknown;
  try {
    value = await read(arn);
  } catch (error) {
    // A secret created without a value answers ResourceNotFoundException; the message never holds the value.
    throw new Error(
      `${what} could not be read from ${arn}: ${error instanceof Error ? error.name : 'error'} (put it with aws secretsmanager put-secret-value)`,
      { cause: error },
    );
  }
  if (typeof value !== 'string' || value.trim() === '') {
    throw new Error(`the secret ${arn} is empty: put ${what} in it (aws secretsmanager put-secret-value)`);
  }
  return value.trim();
}

/** One loader per set of secret needs (the three handlers may share a process in local runs). */
const loaders = new Map<string, ReturnType<typeof vonageRuntimeLoader>>();

/**
 * The runtime of this container for a function with these secret needs (see
 * {@link vonageRuntimeLoader}): secrets from Secrets Manager (cached 300 s), rebuilt on rotation.
 */
export function loadVonageRuntime(
  needs: VonageSecretNeeds,
  env: Record<string, string | undefined> = process.env,
): Promise<VonageRuntime> {
  const key = `${needs.privateKey}/${needs.callbackSecret}`;
  let loader = loaders.get(key);
  if (!loader) loaders.set(key, (loader = vonageRuntimeLoader(needs)));
  return loader(env);
}
