import { apiRouteHandler } from '../core/http/api-route-handler';
import { handleRoomTokenRequest } from '../vonage/room-token-request';
import { loadVonageRuntime } from '../vonage/vonage-runtime';

/** `POST /vonage/tokens`: a Vonage client token for a room, or 409 saying why not. */
export const handler = apiRouteHandler({
  service: 'vonage tokens',
  misconfiguredMessage: 'The Vonage token service is not configured correctly.',
  load: () => loadVonageRuntime({ privateKey: true, callbackSecret: false }),
  handle: (event, runtime) => handleRoomTokenRequest(event, runtime.deps),
  flush: (runtime) => runtime.flush(),
});
