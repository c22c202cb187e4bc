import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { errorResponse } from './http-response';
import { errorMessage } from '../error-message';

/** How one API route's Lambda gets its runtime and answers a request. */
export interface ApiRoute<R> {
  /** Who cannot start, for the log line (`token vending`). */
  readonly service: string;
  /** The 500 message the caller gets when the runtime cannot be built. */
  readonly misconfiguredMessage: string;
  /** Builds (once per container) the runtime; rejects on bad configuration or unreadable secrets. */
  readonly load: () => Promise<R>;
  readonly handle: (event: APIGatewayProxyEvent, runtime: R) => Promise<APIGatewayProxyResult>;
  /** Sends what the request measured (metrics), whatever the outcome. */
  readonly flush: (runtime: R) => void;
}

/**
 * The Lambda entry point of an API route. A runtime that cannot be built is answered with the
 * contract's 500 `misconfigured` (not a Lambda error, which API Gateway turns into a bare 502);
 * the log names the variable or secret that is wrong, never a key.
 */
export function apiRouteHandler<R>(
  route: ApiRoute<R>,
): (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult> {
  return async (event) => {
    let runtime: R;
    try {
      runtime = await route.load();
    } catch (error) {
      console.error(
        JSON.stringify({ level: 'ERROR', message: `${route.service} cannot start`, error: errorMessage(error) }),
      );
      return errorResponse(500, 'misconfigured', route.misconfiguredMessage);
    }
    try {
      return await route.handle(event, runtime);
    } finally {
      route.flush(runtime);
    }
  };
}
