import type { APIGatewayProxyEvent } from 'aws-lambda';
import { accountIdSchema } from '../core/identifiers';

export type CallerAccount = { ok: true; accountId: string } | { ok: false; message: string };

/**
 * The user asking for a room token, by the contract every route keeps: under `iam` (a trusted
 * backend calls with SigV4) from the body's `accountId`; under `claim` from the verified claim the
 * authoriser passed on (Cognito: `authorizer.claims[claim]`, the JWT authoriser: `authorizer[claim]`).
 */
export function callerAccount(
  event: Pick<APIGatewayProxyEvent, 'requestContext'>,
  body: { accountId?: unknown },
  source: 'iam' | 'claim',
  claim: string,
): CallerAccount {
  let candidate: unknown;
  if (source === 'iam') {
    candidate = body.accountId;
  } else {
    const authorizer = (event.requestContext?.authorizer ?? {}) as Record<string, unknown>;
    const claims = (authorizer['claims'] ?? {}) as Record<string, unknown>;
    candidate = claims[claim] ?? authorizer[claim];
  }
  const parsed = accountIdSchema.safeParse(candidate);
  if (!parsed.success) {
    return {
      ok: false,
      message: source === 'iam' ? 'accountId is required in the body (IAM callers name the user)' : `the caller has no valid "${claim}" claim`,
    };
  }
  return { ok: true, accountId: parsed.data };
}
