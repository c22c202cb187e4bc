import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { JwtAuthorizationProps } from '../tracker-authorization';
import { TrackerFunctionOptions } from '../tracker-function-options';
import { TrackerFunction, TrackerFunctionDefaults } from './tracker-function';

/** Properties of `JwtAuthorizerFunction`. */
export interface JwtAuthorizerFunctionProps {
  /** Issuer, audience, JWKS and the account claim. */
  readonly jwt: JwtAuthorizationProps;
  /** Logs and tracing of the tracker. */
  readonly defaults: TrackerFunctionDefaults;
  /** The user's sizing, if any. */
  readonly options?: TrackerFunctionOptions;
}

/**
 * The Lambda token authoriser for `TrackerAuthorization.jwt()`: verifies the bearer JWT's
 * signature (JWKS), issuer, audience and expiry, and hands the account claim to the handlers in
 * the authoriser context under the claim's own name.
 */
export class JwtAuthorizerFunction extends Construct {
  /** The authoriser function. */
  public readonly function: lambda.Function;
  /** Its log group. */
  public readonly logGroup: import('aws-cdk-lib/aws-logs').LogGroup;

  constructor(scope: Construct, id: string, props: JwtAuthorizerFunctionProps) {
    super(scope, id);
    const jwksUri = props.jwt.jwksUri ?? `${props.jwt.issuer.replace(/\/$/, '')}/.well-known/jwks.json`;
    const fn = new TrackerFunction(this, 'Handler', {
      bundle: 'jwt-authorizer',
      description: 'Verifies bearer JWTs for the concurrency tracker API.',
      environment: {
        JWT_ISSUER: props.jwt.issuer,
        JWT_AUDIENCE: props.jwt.audience.join(','),
        JWT_JWKS_URI: jwksUri,
        ACCOUNT_CLAIM: props.jwt.accountClaim,
      },
      defaults: props.defaults,
      options: props.options,
      defaultTimeout: Duration.seconds(5),
      defaultMemorySize: 128,
    });
    this.function = fn.function;
    this.logGroup = fn.logGroup;
  }
}
