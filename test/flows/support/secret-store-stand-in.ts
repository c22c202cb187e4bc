import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { apiRouteHandler } from '../../../lambda/core/http/api-route-handler';
import { lambdaRuntimeLoader } from '../../../lambda/core/runtime/lambda-runtime';
import type { SecretReader } from '../../../lambda/core/adapters/momento-credentials';
import { handleEntitlementRequest } from '../../../lambda/entitlement/handle-entitlement-request';
import { handleTokenRequest } from '../../../lambda/token-vending/handle-token-request';

export const DATA_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:momento/data-AbCdEf';
export const AUTH_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:momento/auth-AbCdEf';
export const SESSION_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:tracker/session-AbCdEf';

/**
 * Secrets Manager as the runtime reads it: a secret the construct created empty has no value yet,
 * and reading it fails with ResourceNotFoundException as in AWS; `put` is put-secret-value.
 * No cache: each read sees the latest value (the Lambdas' 300 s cache is Powertools').
 */
export class SecretStoreStandIn {
  private readonly values = new Map<string, string>();
  reads = 0;

  /** The secrets as `cdk deploy` leaves them: the session key generated, the Momento key secrets created empty. */
  static afterDeploy(): SecretStoreStandIn {
    const store = new SecretStoreStandIn();
    store.put(SESSION_ARN, randomBytes(32).toString('hex'));
    return store;
  }

  put(arn: string, value: string): void {
    this.values.set(arn, value);
  }

  readonly read: SecretReader = async (arn) => {
    this.reads += 1;
    const value = this.values.get(arn);
    if (value === undefined) {
      throw Object.assign(
        new Error("Secrets Manager can't find the specified secret value for staging label: AWSCURRENT"),
        { name: 'ResourceNotFoundException' },
      );
    }
    return value;
  };
}

type Route = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

/**
 * The two request-path Lambdas as lambda/token-vending/index.ts and lambda/entitlement/index.ts
 * compose them (one container each), reading their secrets from `read` instead of Secrets Manager.
 */
export function requestPathLambdas(
  env: Record<string, string>,
  read: SecretReader,
  retireAfterMs = 1000,
): { tokens: Route; entitlement: Route } {
  const tokenContainer = lambdaRuntimeLoader({ readSecret: read, retireAfterMs });
  const entitlementContainer = lambdaRuntimeLoader({ readSecret: read, retireAfterMs });
  return {
    tokens: apiRouteHandler({
      service: 'token vending',
      misconfiguredMessage: 'Token vending is not configured correctly.',
      load: () =>
        tokenContainer({
          ...env,
          POWERTOOLS_SERVICE_NAME: 'token-vending',
          AUTH_KEY_SECRET_ARN: AUTH_ARN,
          DATA_KEY_SECRET_ARN: DATA_ARN,
          SESSION_KEY_SECRET_ARN: SESSION_ARN,
        }),
      handle: (event, runtime) => handleTokenRequest(event, runtime.deps),
      flush: (runtime) => runtime.metrics.flush(),
    }),
    entitlement: apiRouteHandler({
      service: 'entitlement',
      misconfiguredMessage: 'Entitlement is not configured correctly.',
      load: () =>
        entitlementContainer({ ...env, POWERTOOLS_SERVICE_NAME: 'entitlement', DATA_KEY_SECRET_ARN: DATA_ARN }),
      handle: (event, runtime) => handleEntitlementRequest(event, runtime.deps),
      flush: (runtime) => runtime.metrics.flush(),
    }),
  };
}

/** Keeps the runtime's JSON log and EMF lines off the test output (and in `lines`); anything else passes. */
export function quietJsonLines(): { readonly lines: Record<string, unknown>[]; restore(): void } {
  const lines: Record<string, unknown>[] = [];
  const write = process.stdout.write.bind(process.stdout) as (...args: unknown[]) => boolean;
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation(((
    chunk: string | Uint8Array,
    ...rest: unknown[]
  ) => {
    const text = String(chunk);
    if (!text.startsWith('{')) return write(chunk, ...rest);
    for (const line of text.split('\n')) {
      try {
        if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not one JSON line
      }
    }
    return true;
  }) as typeof process.stdout.write);
  return { lines, restore: () => spy.mockRestore() };
}
