/**
 * What protects `POST /vonage/session-monitoring`, the one route without API Gateway
 * authorisation, in one place: the nag acknowledgements of the tracker's stage and of the callback
 * method say the same thing (and `lambda/vonage/callback-signature.ts` is what does it).
 * Not exported from the package.
 */
export const VONAGE_CALLBACK_PROTECTION =
  "Vonage's session-monitoring callbacks cannot carry SigV4 or a Cognito token, so the callback Lambda " +
  "verifies every request's HS256 JWT, signed with the callback's signature secret (read from Secrets Manager), " +
  'and requires payload_hash (the SHA-256 of the body), an iat at most 5 minutes old, application_id equal to the ' +
  'configured application and a jti it has not seen before (remembered in Momento); anything else gets 401 and ' +
  'changes nothing, and a replayed jti is not acted on.';
