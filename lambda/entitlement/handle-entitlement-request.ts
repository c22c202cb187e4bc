import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { callerAccount } from '../core/http/caller-account';
import type { HandlerDependencies } from '../core/runtime/handler-dependencies';
import { errorResponse, jsonResponse } from '../core/http/http-response';
import { contentIdSchema, sessionIdSchema } from '../core/messages/identifiers';
import { errorToResponse } from '../core/http/request-errors';

/** The parts of an API Gateway REST proxy event this handler reads. */
export type EntitlementRequestEvent = Pick<APIGatewayProxyEvent, 'httpMethod' | 'path' | 'requestContext'> &
  Partial<Pick<APIGatewayProxyEvent, 'pathParameters' | 'queryStringParameters'>>;

const ROUTE = /^\/accounts\/([^/]+)\/sessions(?:\/([^/]+))?\/?$/;

/** The account and session named by the path (from `pathParameters`, or parsed from `path`). */
function routeOf(event: EntitlementRequestEvent): { accountId: string; sessionId?: string } | undefined {
  const fromParameters = event.pathParameters?.accountId;
  if (fromParameters) return { accountId: fromParameters, sessionId: event.pathParameters?.sessionId ?? undefined };
  const match = ROUTE.exec(event.path ?? '');
  if (!match) return undefined;
  try {
    return {
      accountId: decodeURIComponent(match[1]!),
      sessionId: match[2] === undefined ? undefined : decodeURIComponent(match[2]),
    };
  } catch {
    return undefined;
  }
}

/**
 * `GET /accounts/{accountId}/sessions` (the entitlement check),
 * `GET /accounts/{accountId}/sessions/{sessionId}` (the session check: is this session still
 * counted? what a licence server asks before each renewal) and
 * `DELETE /accounts/{accountId}/sessions/{sessionId}` (end a session now; its device is told).
 */
export async function handleEntitlementRequest(
  event: EntitlementRequestEvent,
  deps: HandlerDependencies,
): Promise<APIGatewayProxyResult> {
  const route = routeOf(event);
  if (!route) return errorResponse(404, 'not-found', 'Unknown route.');
  const account = callerAccount(event, deps.config, route.accountId);
  if (!account.ok) return errorResponse(account.status, account.error, account.message);
  try {
    if (event.httpMethod === 'GET' && route.sessionId === undefined) {
      const contentId = event.queryStringParameters?.contentId ?? undefined;
      if (contentId !== undefined && !contentIdSchema.safeParse(contentId).success) {
        return errorResponse(400, 'invalid-request', 'contentId must be 1 to 256 letters, digits or ._:/@+=-');
      }
      return jsonResponse(200, await deps.engine.listSessions(account.accountId, contentId));
    }
    if (route.sessionId !== undefined && (event.httpMethod === 'GET' || event.httpMethod === 'DELETE')) {
      if (!sessionIdSchema.safeParse(route.sessionId).success)
        return errorResponse(400, 'invalid-request', 'sessionId is not a valid session id.');
    }
    if (event.httpMethod === 'GET' && route.sessionId !== undefined) {
      const session = await deps.engine.checkSession(account.accountId, route.sessionId);
      if (!session)
        return errorResponse(404, 'session-not-found', 'No session with this id is counted for this account.');
      return jsonResponse(200, session);
    }
    if (event.httpMethod === 'DELETE' && route.sessionId !== undefined) {
      const result = await deps.engine.endSession(account.accountId, route.sessionId);
      if (result === 'not-found')
        return errorResponse(404, 'session-not-found', 'No active session with this id for this account.');
      return jsonResponse(200, { accountId: account.accountId, sessionId: route.sessionId, ended: true });
    }
    return errorResponse(
      405,
      'method-not-allowed',
      'Use GET /accounts/{accountId}/sessions, or GET or DELETE /accounts/{accountId}/sessions/{sessionId}.',
    );
  } catch (error) {
    return errorToResponse(error, deps.logger, deps.metrics);
  }
}
