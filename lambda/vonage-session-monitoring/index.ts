import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { handleSessionMonitoringRequest } from '../vonage/session-monitoring-request';
import { loadVonageRuntime } from '../vonage/vonage-runtime';

/** `POST /vonage/session-monitoring`: Vonage's signed session-monitoring callbacks. */
export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const runtime = await loadVonageRuntime({ privateKey: true, callbackSecret: true });
  try {
    return await handleSessionMonitoringRequest(event, runtime.deps);
  } finally {
    runtime.flush();
  }
}
