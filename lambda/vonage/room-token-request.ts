import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { z } from 'zod';
import { isMomentoCallError } from '../core/momento-ports';
import { callerAccount } from './caller-account';
import { errorResponse, jsonResponse, rawBody } from './http-response';
import { admitToRoom } from './room-admission';
import { roomIdSchema } from './room-policy';
import type { VonageDependencies } from './vonage-dependencies';

/** Body of `POST /vonage/tokens`; `accountId` is read only under IAM (a trusted backend). */
export const roomTokenRequestSchema = z.object({
  roomId: roomIdSchema,
  accountId: z.unknown().optional(),
});

/** `POST /vonage/tokens`: 200 with a Vonage client token, or 409 saying why not. */
export async function handleRoomTokenRequest(
  event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded' | 'requestContext'>,
  deps: VonageDependencies,
): Promise<APIGatewayProxyResult> {
  let json: unknown;
  try {
    json = JSON.parse(rawBody(event) || '{}');
  } catch {
    return errorResponse(400, 'invalid-json', 'the body is not JSON');
  }
  const body = roomTokenRequestSchema.safeParse(json);
  if (!body.success) return errorResponse(400, 'invalid-request', z.prettifyError(body.error));
  const caller = callerAccount(event, body.data, deps.account.source, deps.account.claim);
  if (!caller.ok) return errorResponse(deps.account.source === 'iam' ? 400 : 401, 'no-account', caller.message);
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
    if (!isMomentoCallError(error)) throw error;
    deps.metrics.count('MomentoErrors');
    deps.logger.error('room token not vended: Momento failed', { error: error.message });
    return errorResponse(503, 'unavailable', 'state store unavailable; retry later');
  }
}
