import type { APIGatewayProxyResult } from 'aws-lambda';
import { AdmissionHookError } from '../ports/admission-hook';
import { MomentoUnavailableError } from '../engine/engine';
import { errorResponse } from './http-response';
import { isMomentoCallError } from '../ports/momento-ports';
import type { EngineLogger, EngineMetrics } from '../ports/observability';
import { ScopeError } from '../engine/scope';
import { errorNameAndMessage } from '../error-message';

/** Maps what a request handler can throw to an HTTP answer: 4xx for the caller, 503 for Momento. */
export function errorToResponse(error: unknown, logger: EngineLogger, metrics: EngineMetrics): APIGatewayProxyResult {
  if (error instanceof ScopeError) return errorResponse(400, 'invalid-request', error.message);
  if (error instanceof MomentoUnavailableError) {
    return errorResponse(503, 'momento-unavailable', 'The session store is unavailable; try again shortly.');
  }
  if (isMomentoCallError(error)) {
    metrics.count('MomentoErrors');
    logger.error('Momento call failed', { kind: error.kind, code: error.code, error: error.message });
    return errorResponse(503, 'momento-unavailable', 'The session store is unavailable; try again shortly.');
  }
  if (error instanceof AdmissionHookError) {
    logger.error('admission hook failed', { error: error.message });
    return errorResponse(503, 'admission-hook-failed', 'The admission check failed; try again shortly.');
  }
  logger.error('request failed', { error: errorNameAndMessage(error) });
  return errorResponse(500, 'internal-error', 'Something went wrong on our side.');
}

/** Parses a JSON request body; `undefined` body reads as `{}`. */
export function parseJsonBody(
  body: string | null | undefined,
  isBase64Encoded?: boolean,
): { ok: true; value: unknown } | { ok: false } {
  if (body === null || body === undefined || body === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body) };
  } catch {
    return { ok: false };
  }
}
