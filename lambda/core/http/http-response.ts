import type { APIGatewayProxyResult } from 'aws-lambda';

const HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' };

export function jsonResponse(statusCode: number, body: unknown): APIGatewayProxyResult {
  return { statusCode, headers: { ...HEADERS }, body: JSON.stringify(body) };
}

/** The error shape of every route: `{ error: <code>, message: <human text> }` plus extra fields. */
export function errorResponse(
  statusCode: number,
  error: string,
  message: string,
  extra: Record<string, unknown> = {},
): APIGatewayProxyResult {
  return jsonResponse(statusCode, { error, message, ...extra });
}
