import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { isMomentoCallError } from '../core/ports/momento-ports';
import { parseCallback } from './callback-event';
import { CALLBACK_JTI_SECONDS, verifyCallbackSignature } from './callback-signature';
import { errorResponse, jsonResponse } from '../core/http/http-response';
import { header, rawBody } from './http-request';
import { handleCallback } from './session-monitoring';
import { vonageKeys } from './vonage-keys';
import type { VonageDependencies } from './vonage-dependencies';

/**
 * `POST /vonage/session-monitoring`. Unsigned, wrongly signed, too old or for another application:
 * 401 and nothing changes. A signed request seen before (same `jti`): 200 `replayed` and nothing
 * is done. Every valid event, handled or not: 200, so Vonage never counts a delivery failure.
 * Momento unreachable: 503, so Vonage retries later (processing is idempotent).
 */
export async function handleSessionMonitoringRequest(
  event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded' | 'headers'>,
  deps: VonageDependencies,
): Promise<APIGatewayProxyResult> {
  const body = rawBody(event);
  const signature = await verifyCallbackSignature(
    header(event, 'authorization'),
    body,
    deps.callbackSecret,
    deps.config.applicationId,
    new Date(deps.now()),
  );
  if (!signature.valid) {
    deps.metrics.count('VonageCallbacksRejected');
    deps.logger.warn('vonage callback refused', { reason: signature.reason });
    return errorResponse(
      401,
      'unauthorized',
      'the callback is not a recent request signed for this application with the session-monitoring signature secret',
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return errorResponse(400, 'invalid-json', 'the callback body is not JSON');
  }
  // Each signed request is acted on once: its jti is remembered for as long as the token is accepted.
  const jtiKey = vonageKeys.callbackJti(signature.jti);
  try {
    if (!(await deps.cache.setIfAbsent(jtiKey, String(deps.now()), CALLBACK_JTI_SECONDS))) {
      deps.metrics.count('VonageCallbacksRejected');
      deps.logger.warn('vonage callback replayed: not acted on', { jti: signature.jti });
      return jsonResponse(200, { status: 'replayed' });
    }
  } catch (error) {
    if (!isMomentoCallError(error)) throw error;
    deps.metrics.count('MomentoErrors');
    return errorResponse(503, 'unavailable', 'state store unavailable; retry later');
  }
  const parsed = parseCallback(json);
  if (parsed.kind === 'invalid') return errorResponse(400, 'invalid-callback', parsed.message);
  if (parsed.kind === 'ignored') {
    deps.metrics.count('VonageCallbacksIgnored');
    return jsonResponse(200, { status: 'ignored', event: parsed.event });
  }
  deps.metrics.count('VonageCallbacks');
  try {
    const outcome = await handleCallback(parsed.callback, deps);
    deps.logger.info('vonage callback handled', {
      event: parsed.callback.event,
      sessionId: parsed.callback.sessionId,
      outcome,
    });
    return jsonResponse(200, { status: outcome });
  } catch (error) {
    if (!isMomentoCallError(error)) throw error;
    deps.metrics.count('MomentoErrors');
    deps.logger.error('vonage callback not processed: Momento failed', {
      event: parsed.callback.event,
      error: error.message,
    });
    // Not processed: a retry of this very request must not be taken for a replay.
    await deps.cache.delete(jtiKey).catch(() => undefined);
    return errorResponse(503, 'unavailable', 'state store unavailable; retry later');
  }
}
