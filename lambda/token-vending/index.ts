import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { errorResponse } from '../core/http-response';
import { loadLambdaRuntime } from '../core/lambda-runtime';
import { handleTokenRequest } from './handle-token-request';

/** Lambda entry point of `POST /tokens` (API Gateway REST proxy integration). */
export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  let runtime;
  try {
    runtime = await loadLambdaRuntime();
  } catch (error) {
    // Configuration or key problems: the message names the variable or secret, never a key.
    console.error(JSON.stringify({ level: 'ERROR', message: 'token vending cannot start', error: error instanceof Error ? error.message : String(error) }));
    return errorResponse(500, 'misconfigured', 'Token vending is not configured correctly.');
  }
  try {
    return await handleTokenRequest(event, runtime.deps);
  } finally {
    runtime.metrics.flush();
  }
}
