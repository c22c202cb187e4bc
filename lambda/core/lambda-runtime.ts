import { LambdaAdmissionHook } from './admission-hook';
import { parseRuntimeConfig } from './config';
import { createHandlerDependencies, type HandlerDependencies } from './handler-dependencies';
import { EventBridgeEventSink } from './lifecycle-events';
import { loadMomentoKeys } from './momento-credentials';
import { createMomentoPorts } from './momento-sdk-ports';
import { PowertoolsEngineLogger, PowertoolsEngineMetrics } from './observability';
import { loadSessionKeys } from './session-key-secret';

export interface LambdaRuntime {
  readonly deps: HandlerDependencies;
  readonly metrics: PowertoolsEngineMetrics;
  readonly logger: PowertoolsEngineLogger;
}

let runtime: Promise<LambdaRuntime> | undefined;

/**
 * Builds the handler dependencies once per container: configuration from the environment, keys
 * from Secrets Manager (cached), Momento clients, Powertools logs and metrics, EventBridge and the
 * admission hook when configured. A failure is not cached, so the next invocation tries again.
 */
export function loadLambdaRuntime(env: Record<string, string | undefined> = process.env): Promise<LambdaRuntime> {
  runtime ??= build(env).catch((error: unknown) => {
    runtime = undefined;
    throw error;
  });
  return runtime;
}

async function build(env: Record<string, string | undefined>): Promise<LambdaRuntime> {
  const config = parseRuntimeConfig(env);
  const logger = new PowertoolsEngineLogger(config.serviceName);
  const metrics = new PowertoolsEngineMetrics(config);
  const ports = createMomentoPorts(config, await loadMomentoKeys(config));
  // Only token vending signs grants; the entitlement Lambda has no session key secret to read.
  const sessionKeys = config.authKeySecretArn || config.sessionKeySecretArn || config.sessionKeySecret || config.momentoLocalEndpoint ? await loadSessionKeys(config) : undefined;
  const deps = createHandlerDependencies(config, ports, {
    sessionKeys,
    logger,
    metrics,
    events: config.eventBusName ? new EventBridgeEventSink(config.eventBusName, undefined, (message, fields) => logger.warn(message, fields)) : undefined,
    hook: config.admissionHookArn ? new LambdaAdmissionHook(config.admissionHookArn) : undefined,
  });
  return { deps, metrics, logger };
}
