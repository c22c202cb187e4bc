import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { handleRoomTokenRequest } from '../vonage/room-token-request';
import { loadVonageRuntime } from '../vonage/vonage-runtime';

/** `POST /vonage/tokens`: a Vonage client token for a room, or 409 saying why not. */
export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const runtime = await loadVonageRuntime({ privateKey: true, callbackSecret: false });
  try {
    return await handleRoomTokenRequest(event, runtime.deps);
  } finally {
    runtime.flush();
  }
}
