import { apiRouteHandler } from '../core/http/api-route-handler';
import { handleSessionMonitoringRequest } from '../vonage/session-monitoring-request';
import { loadVonageRuntime } from '../vonage/vonage-runtime';

/** `POST /vonage/session-monitoring`: Vonage's signed session-monitoring callbacks. */
export const handler = apiRouteHandler({
  service: 'vonage session monitoring',
  misconfiguredMessage: 'The Vonage session-monitoring callback is not configured correctly.',
  load: () => loadVonageRuntime({ privateKey: true, callbackSecret: true }),
  handle: (event, runtime) => handleSessionMonitoringRequest(event, runtime.deps),
  flush: (runtime) => runtime.flush(),
});
