import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { callerAccount } from '../core/http/caller-account';
import type { HandlerDependencies } from '../core/runtime/handler-dependencies';
import { errorResponse, jsonResponse } from '../core/http/http-response';
import { errorToResponse, parseJsonBody } from '../core/http/request-errors';
import { tokenRequestSchema } from '../core/messages/token-request';
import { vendToken } from '../core/engine/token-vending';
import { describeIssues } from '../core/schema-issues';

/** The parts of an API Gateway REST proxy event this handler reads. */
export type TokenRequestEvent = Pick<APIGatewayProxyEvent, 'httpMethod' | 'body' | 'requestContext'> &
  Partial<Pick<APIGatewayProxyEvent, 'isBase64Encoded'>>;

/**
 * `POST /tokens`: validates the request, takes the account from the caller, admits the device and
 * returns its token (201), the active sessions at the limit (409), or a refusal (403).
 */
export async function handleTokenRequest(
  event: TokenRequestEvent,
  deps: HandlerDependencies,
): Promise<APIGatewayProxyResult> {
  if (event.httpMethod !== 'POST') return errorResponse(405, 'method-not-allowed', 'Use POST /tokens.');
  const body = parseJsonBody(event.body, event.isBase64Encoded);
  if (!body.ok) return errorResponse(400, 'invalid-json', 'The request body is not valid JSON.');
  const parsed = tokenRequestSchema.safeParse(body.value);
  if (!parsed.success) {
    return errorResponse(400, 'invalid-request', describeIssues(parsed.error, 'body'));
  }
  const request = parsed.data;
  // Under IAM the trusted backend names the account; otherwise only the verified claim counts.
  const account = callerAccount(
    event,
    deps.config,
    deps.config.accountSource === 'iam' ? request.accountId : undefined,
  );
  if (!account.ok) return errorResponse(account.status, account.error, account.message);
  if (!deps.tokens) {
    deps.logger.error('token vending has no auth key: AUTH_KEY_SECRET_ARN is not set');
    return errorResponse(500, 'misconfigured', 'Token vending is not configured with a Momento auth key.');
  }
  try {
    const outcome = await vendToken(
      {
        accountId: account.accountId,
        deviceId: request.deviceId,
        deviceName: request.deviceName,
        contentId: request.contentId,
        kind: request.kind,
        sessionId: request.sessionId,
        sessionKey: request.sessionKey,
        requestId: event.requestContext?.requestId,
      },
      {
        config: deps.config,
        engine: deps.engine,
        cache: deps.cache,
        tokens: deps.tokens,
        sessionKeys: deps.sessionKeys,
        metrics: deps.metrics,
        logger: deps.logger,
        now: deps.now,
      },
    );
    switch (outcome.kind) {
      case 'issued':
        return jsonResponse(201, outcome.grant);
      case 'limit-reached':
        return errorResponse(
          409,
          'limit-reached',
          `This account already uses ${outcome.active} of ${outcome.limit} allowed devices. Stop one to continue.`,
          {
            limit: outcome.limit,
            active: outcome.active,
            sessions: outcome.sessions,
          },
        );
      case 'denied':
        return errorResponse(403, 'admission-denied', outcome.reason);
      case 'invalid-session-key':
        return errorResponse(
          403,
          'invalid-session-key',
          'The sessionKey does not belong to this session and device: only the device the session was granted to can refresh it.',
        );
    }
  } catch (error) {
    return errorToResponse(error, deps.logger, deps.metrics);
  }
}
