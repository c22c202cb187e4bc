import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import * as z from 'zod';
import { callerAccount } from '../core/http/caller-account';
import { accountIdSchema, roomIdSchema } from '../core/messages/identifiers';
import { errorResponse, jsonResponse } from '../core/http/http-response';
import { errorToResponse, parseJsonBody } from '../core/http/request-errors';
import { admitToRoom, VonageApiError } from './room-admission';
import type { VonageDependencies } from './vonage-dependencies';

/** Body of `POST /vonage/tokens`; `accountId` is read only under IAM (a trusted backend). */
export const roomTokenRequestSchema = z.object({
  roomId: roomIdSchema,
  accountId: accountIdSchema.optional(),
});

/** `POST /vonage/tokens`: 200 with a Vonage client token, or 409 saying why not. */
export async function handleRoomTokenRequest(
  event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded' | 'requestContext'>,
  deps: VonageDependencies,
): Promise<APIGatewayProxyResult> {
  const json = parseJsonBody(event.body, event.isBase64Encoded);
  if (!json.ok) return errorResponse(400, 'invalid-json', 'the body is not JSON');
  const body = roomTokenRequestSchema.safeParse(json.value);
  if (!body.success) return errorResponse(400, 'invalid-request', z.prettifyError(body.error));
  const caller = callerAccount(
    event,
    { accountSource: deps.account.source, accountClaim: deps.account.claim },
    body.data.accountId,
  );
  if (!caller.ok) return errorResponse(caller.status, caller.error, caller.message);
  try {
    const outcome = await admitToRoom({ roomId: body.data.roomId, userId: caller.accountId }, deps);
    if (outcome.kind === 'refused') {
      return jsonResponse(409, {
        error: outcome.reason,
        message: outcome.message,
        ...(outcome.capacity !== undefined ? { capacity: outcome.capacity } : {}),
        ...(outcome.active !== undefined ? { active: outcome.active } : {}),
      });
    }
    const { kind: _kind, ...admitted } = outcome;
    return jsonResponse(200, admitted);
  } catch (error) {
    if (error instanceof VonageApiError) {
      deps.logger.error('vonage session not created', { error: error.message });
      return errorResponse(503, 'vonage-unavailable', 'The Vonage Video API did not answer; try again shortly.');
    }
    return errorToResponse(error, deps.logger, deps.metrics);
  }
}
