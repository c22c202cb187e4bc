import { apiRouteHandler } from '../core/http/api-route-handler';
import { lambdaRuntimeLoader } from '../core/runtime/lambda-runtime';
import { handleEntitlementRequest } from './handle-entitlement-request';

/**
 * The runtime of this container (`lambdaRuntimeLoader`), without an admission hook: the entitlement
 * routes admit nothing, and the construct gives this Lambda no `ADMISSION_HOOK_ARN`.
 */
const loadRuntime = lambdaRuntimeLoader();

/** Lambda entry point of the entitlement routes (API Gateway REST proxy integration). */
export const handler = apiRouteHandler({
  service: 'entitlement',
  misconfiguredMessage: 'The entitlement service is not configured correctly.',
  load: () => loadRuntime(),
  handle: (event, runtime) => handleEntitlementRequest(event, runtime.deps),
  flush: (runtime) => runtime.metrics.flush(),
});
