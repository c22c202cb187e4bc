import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { RuntimeConfig } from '../runtime/config';
import { accountIdSchema } from '../messages/identifiers';

export type CallerAccount =
  | { readonly ok: true; readonly accountId: string }
  | { readonly ok: false; readonly status: 400 | 401 | 403; readonly error: string; readonly message: string };

type RequestContextLike = Pick<APIGatewayProxyEvent, 'requestContext'>;

/** The verified claim, from a Cognito authoriser (`claims`) or a Lambda authoriser's context. */
function claimOf(event: RequestContextLike, claim: string): unknown {
  const authorizer = (event.requestContext?.authorizer ?? {}) as Record<string, unknown>;
  const claims = authorizer.claims as Record<string, unknown> | undefined;
  return claims?.[claim] ?? authorizer[claim];
}

/**
 * The account a request acts for. Under `ACCOUNT_SOURCE=iam` the caller is a trusted backend
 * and names it (`named`: the body's or the path's account); otherwise it is the configured claim,
 * and a named account must match it.
 */
export function callerAccount(
  event: RequestContextLike,
  config: Pick<RuntimeConfig, 'accountSource' | 'accountClaim'>,
  named: string | undefined,
): CallerAccount {
  if (config.accountSource === 'iam') {
    if (named === undefined || named === '')
      return {
        ok: false,
        status: 400,
        error: 'invalid-request',
        message: 'accountId is required when the API is called with IAM',
      };
    const parsed = accountIdSchema.safeParse(named);
    if (!parsed.success)
      return {
        ok: false,
        status: 400,
        error: 'invalid-request',
        message: `accountId ${parsed.error.issues[0]?.message ?? 'is invalid'}`,
      };
    return { ok: true, accountId: parsed.data };
  }
  const claim = claimOf(event, config.accountClaim);
  if (typeof claim !== 'string' || claim === '') {
    return {
      ok: false,
      status: 401,
      error: 'unauthenticated',
      message: `the caller has no "${config.accountClaim}" claim`,
    };
  }
  const parsed = accountIdSchema.safeParse(claim);
  if (!parsed.success)
    return {
      ok: false,
      status: 403,
      error: 'forbidden',
      message: `the "${config.accountClaim}" claim is not a valid account id`,
    };
  if (named !== undefined && named !== parsed.data) {
    return {
      ok: false,
      status: 403,
      error: 'forbidden',
      message: 'the account in the request is not the caller’s account',
    };
  }
  return { ok: true, accountId: parsed.data };
}
