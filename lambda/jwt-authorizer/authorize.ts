import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import * as z from 'zod';
import { describeIssues } from '../core/schema-issues';

/** The authoriser's environment, set by the construct (lib/private/jwt-authorizer-function.ts). */
const authorizerEnvironment = z.object({
  JWT_ISSUER: z.string().url(),
  JWT_AUDIENCE: z
    .string()
    .min(1)
    .transform((value) =>
      value
        .split(',')
        .map((a) => a.trim())
        .filter((a) => a !== ''),
    ),
  JWT_JWKS_URI: z.string().url(),
  ACCOUNT_CLAIM: z.string().min(1),
});

/** Verified settings of the authoriser. */
export type AuthorizerConfig = z.infer<typeof authorizerEnvironment>;

/** Reads the environment; throws naming what is wrong. */
export function parseAuthorizerConfig(env: Record<string, string | undefined>): AuthorizerConfig {
  const result = authorizerEnvironment.safeParse(env);
  if (!result.success) {
    throw new Error(`Invalid JWT authoriser configuration: ${describeIssues(result.error, '(configuration)')}`);
  }
  return result.data;
}

/** Verifies a JWT's signature, issuer, audience and expiry, returning its payload or throwing. */
export type JwtCheck = (jwt: string) => Promise<Record<string, unknown>>;

/** A claim value that identifies an account: a non-empty string or a finite number. */
const accountClaimValue = z.union([z.string().min(1).max(128), z.number().finite()]);

/**
 * The stage-wide resource of a method ARN (`arn:...:api-id/stage/*`), so a cached decision covers
 * every route of the API rather than only the first one called with that token.
 */
function stageWildcard(methodArn: string): string {
  const [prefix, stage] = methodArn.split('/');
  return `${prefix}/${stage}/*`;
}

/**
 * API Gateway expects the literal error "Unauthorized" to answer 401; anything else becomes 500.
 */
export class Unauthorized extends Error {
  constructor() {
    super('Unauthorized');
  }
}

/**
 * The authoriser's decision: 401 for a missing or invalid token; a Deny policy (403) for a valid
 * token that lacks the account claim; otherwise Allow, with the claim copied into the context under
 * its own name, where the handlers read it (`ACCOUNT_SOURCE=claim`).
 */
export async function authorize(
  event: APIGatewayTokenAuthorizerEvent,
  config: AuthorizerConfig,
  check: JwtCheck,
): Promise<APIGatewayAuthorizerResult> {
  const match = /^Bearer\s+(\S+)$/i.exec(event.authorizationToken ?? '');
  if (!match) throw new Unauthorized();
  let payload: Record<string, unknown>;
  try {
    payload = await check(match[1]);
  } catch {
    throw new Unauthorized();
  }
  const subject = typeof payload.sub === 'string' ? payload.sub : 'unknown';
  const claim = accountClaimValue.safeParse(payload[config.ACCOUNT_CLAIM]);
  const effect = claim.success ? 'Allow' : 'Deny';
  return {
    principalId: subject,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: stageWildcard(event.methodArn) }],
    },
    context: claim.success ? { [config.ACCOUNT_CLAIM]: String(claim.data) } : undefined,
  };
}
