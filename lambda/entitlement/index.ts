import { apiRouteHandler } from '../core/http/api-route-handler';
import { loadLambdaRuntime } from '../core/runtime/lambda-runtime';
import { handleEntitlementRequest } from './handle-entitlement-request';

/** Lambda entry point of the entitlement routes (API Gateway REST proxy integration). */
export const handler = apiRouteHandler({
  service: 'entitlement',
  misconfiguredMessage: 'The entitlement service is not configured correctly.',
  load: () => loadLambdaRuntime(),
  handle: (event, runtime) => handleEntitlementRequest(event, runtime.deps),
  flush: (runtime) => runtime.metrics.flush(),
});
