import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { JwtVerifier } from 'aws-jwt-verify';
import { authorize, parseAuthorizerConfig } from './authorize';

// Built once per container: the verifier caches the issuer's JWKS between invocations.
const config = parseAuthorizerConfig(process.env);
const verifier = JwtVerifier.create({
  issuer: config.JWT_ISSUER,
  audience: config.JWT_AUDIENCE,
  jwksUri: config.JWT_JWKS_URI,
});

/** Lambda token authoriser for `TrackerAuthorization.jwt()`. */
export async function handler(event: APIGatewayTokenAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  return authorize(event, config, async (jwt) => (await verifier.verify(jwt)) as Record<string, unknown>);
}
