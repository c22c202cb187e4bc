import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { errorResponse } from '../core/http-response';
import { loadLambdaRuntime } from '../core/lambda-runtime';
import { handleEntitlementRequest } from './handle-entitlement-request';

/** Lambda entry point of the entitlement routes (API Gateway REST proxy integration). */
export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  let runtime;
  try {
    runtime = await loadLambdaRuntime();
  } catch (error) {
    console.error(JSON.stringify({ level: 'ERROR', message: 'entitlement cannot start', error: error instanceof Error ? error.message : String(error) }));
    return errorResponse(500, 'misconfigured', 'The entitlement service is not configured correctly.');
  }
  try {
    return await handleEntitlementRequest(event, runtime.deps);
  } finally {
    runtime.metrics.flush();
  }
}
