import { LambdaAdmissionHook } from '../core/adapters/lambda-admission-hook';
import { apiRouteHandler } from '../core/http/api-route-handler';
import { lambdaRuntimeLoader } from '../core/runtime/lambda-runtime';
import { handleTokenRequest } from './handle-token-request';

/**
 * The runtime of this container (`lambdaRuntimeLoader`): configuration from the environment, keys
 * from Secrets Manager (cached 300 s), Momento clients, Powertools logs and metrics, EventBridge and
 * the admission hook (`ADMISSION_HOOK_ARN`) when configured.
 */
const loadRuntime = lambdaRuntimeLoader({ admissionHook: (functionArn) => new LambdaAdmissionHook(functionArn) });

/** Lambda entry point of `POST /tokens` (API Gateway REST proxy integration). */
export const handler = apiRouteHandler({
  service: 'token vending',
  misconfiguredMessage: 'Token vending is not configured correctly.',
  load: () => loadRuntime(),
  handle: (event, runtime) => handleTokenRequest(event, runtime.deps),
  flush: (runtime) => runtime.metrics.flush(),
});
