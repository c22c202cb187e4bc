import { randomUUID } from 'node:crypto';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { LambdaAdmissionHook } from '../core/adapters/lambda-admission-hook';
import { EventBridgeEventSink } from '../core/adapters/eventbridge-event-sink';
import { parseRuntimeConfig } from '../core/runtime/config';
import { noEvents } from '../core/ports/lifecycle-event-sink';
import { loadMomentoKeys } from '../core/adapters/momento-credentials';
import { createMomentoPorts } from '../core/adapters/momento-clients';
import { PowertoolsEngineLogger, PowertoolsEngineMetrics } from '../core/adapters/powertools-observability';
import { RoomSeats } from './room-seats';
import { parseVonageConfig } from './vonage-config';
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

/** One runtime per set of secret needs (the three handlers may share a process in local runs). */
const runtimes = new Map<string, Promise<VonageRuntime>>();

/**
 * Builds the Vonage dependencies once per container: the tracker's configuration and Momento
 * clients (the engine's loaders), the Vonage configuration, the secrets this function needs from
 * Secrets Manager, Powertools logs and metrics, EventBridge and the admission hook when set.
 * A failure is not cached, so the next invocation tries again.
 */
export function loadVonageRuntime(needs: VonageSecretNeeds, env: Record<string, string | undefined> = process.env): Promise<VonageRuntime> {
  const key = `${needs.privateKey}/${needs.callbackSecret}`;
  let runtime = runtimes.get(key);
  if (!runtime) {
    runtime = build(needs, env).catch((error: unknown) => {
      runtimes.delete(key);
      throw error;
    });
    runtimes.set(key, runtime);
  }
  return runtime;
}

async function build(needs: VonageSecretNeeds, env: Record<string, string | undefined>): Promise<VonageRuntime> {
  const tracker = parseRuntimeConfig(env);
  const config = parseVonageConfig(env, tracker.defaultLimit);
  const logger = new PowertoolsEngineLogger(tracker.serviceName);
  const metrics = new PowertoolsEngineMetrics(tracker);
  const ports = createMomentoPorts(tracker, await loadMomentoKeys(tracker));
  const privateKey = needs.privateKey ? await readSecret(config.privateKeySecretArn, 'VONAGE_PRIVATE_KEY_SECRET_ARN', 'the Vonage application private key (PEM)') : '';
  const callbackSecret = needs.callbackSecret
    ? await readSecret(config.callbackSecretArn, 'VONAGE_CALLBACK_SECRET_ARN', 'the session-monitoring signature secret')
    : '';
  const deps: VonageDependencies = {
    config,
    account: { source: tracker.accountSource, claim: tracker.accountClaim },
    callbackSecret,
    cache: ports.cache,
    seats: new RoomSeats(ports.cache, config.reservationSeconds, config.seatSeconds),
    vonage: vonageVideoEnforcement({ applicationId: config.applicationId, privateKey, videoHost: config.videoHost }),
    hook: tracker.admissionHookArn ? new LambdaAdmissionHook(tracker.admissionHookArn) : undefined,
    events: tracker.eventBusName ? new EventBridgeEventSink(tracker.eventBusName, undefined, (message, fields) => logger.warn(message, fields)) : noEvents,
    // Vonage metric names go to the same namespace and dimension as the engine's.
    metrics: { count: (name, value = 1) => metrics.metrics.addMetric(name, MetricUnit.Count, value) },
    logger,
    now: () => Date.now(),
    newId: () => randomUUID(),
  };
  return { deps, flush: () => metrics.flush() };
}

async function readSecret(arn: string | undefined, variable: string, what: string): Promise<string> {
  if (!arn) throw new Error(`${variable} is not set: this function needs ${what}`);
  const value = await getSecret(arn, { maxAge: 300 });
  if (typeof value !== 'string' || value.trim() === '') {
    throw new Error(`the secret ${arn} is empty: put ${what} in it (aws secretsmanager put-secret-value)`);
  }
  return value.trim();
}
