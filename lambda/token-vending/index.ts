import { apiRouteHandler } from '../core/http/api-route-handler';
import { loadLambdaRuntime } from '../core/runtime/lambda-runtime';
import { handleTokenRequest } from './handle-token-request';

/** Lambda entry point of `POST /tokens` (API Gateway REST proxy integration). */
export const handler = apiRouteHandler({
  service: 'token vending',
  misconfiguredMessage: 'Token vending is not configured correctly.',
  load: () => loadLambdaRuntime(),
  handle: (event, runtime) => handleTokenRequest(event, runtime.deps),
  flush: (runtime) => runtime.metrics.flush(),
});
