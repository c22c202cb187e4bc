import * as cognito from 'aws-cdk-lib/aws-cognito';

/** How callers of the tracker's API authenticate. */
export enum AuthorizationKind {
  /** SigV4-signed calls from a trusted backend (IAM). */
  IAM = 'iam',
  /** A Cognito user pool authoriser; the account id comes from a token claim. */
  COGNITO = 'cognito',
  /** A Lambda authoriser that verifies JWTs from any OIDC issuer; the account id comes from a claim. */
  JWT = 'jwt',
}

/** Settings of the generic JWT authoriser. */
export interface JwtAuthorizationProps {
  /** Expected `iss` of the tokens, e.g. `https://example.eu.auth0.com/`. */
  readonly issuer: string;
  /** Accepted `aud` values (at least one). */
  readonly audience: string[];
  /**
   * Where the issuer publishes its signing keys.
   * @default - `<issuer>/.well-known/jwks.json`
   */
  readonly jwksUri?: string;
  /** The claim that holds the account id, e.g. `sub` or `https://example.com/account`. */
  readonly accountClaim: string;
}

/** Settings of the Cognito user pool authoriser. */
export interface CognitoAuthorizationProps {
  /** The user pools whose ID tokens are accepted. */
  readonly userPools: cognito.IUserPool[];
  /**
   * The claim that holds the account id, e.g. `sub`, or `custom:accountId` when no app client may
   * write that attribute (whoever writes it acts as that account; the tracker warns at synthesis).
   */
  readonly accountClaim: string;
}

/**
 * How the API authenticates its callers and where the account id comes from.
 *
 * With IAM (the default) only trusted backends call the API, and the account id is taken from the
 * request body or path. With Cognito or a JWT, players call the API directly and the account id
 * comes from a verified claim, never from the request.
 */
export class TrackerAuthorization {
  /** SigV4 (IAM) authorisation; grant callers with `ConcurrencyTracker.grantInvoke()`. */
  public static iam(): TrackerAuthorization {
    return new TrackerAuthorization(AuthorizationKind.IAM);
  }

  /** Cognito user pool authorisation; the account id comes from `accountClaim`. */
  public static cognito(props: CognitoAuthorizationProps): TrackerAuthorization {
    return new TrackerAuthorization(AuthorizationKind.COGNITO, props.accountClaim, props);
  }

  /** A Lambda authoriser verifying JWTs (issuer, audience, JWKS); the account id comes from `accountClaim`. */
  public static jwt(props: JwtAuthorizationProps): TrackerAuthorization {
    return new TrackerAuthorization(AuthorizationKind.JWT, props.accountClaim, undefined, props);
  }

  private constructor(
    /** Which kind of authorisation this is. */
    public readonly kind: AuthorizationKind,
    /** The claim holding the account id (Cognito and JWT only). */
    public readonly accountClaim?: string,
    /** Cognito settings, for `AuthorizationKind.COGNITO`. */
    public readonly cognitoProps?: CognitoAuthorizationProps,
    /** JWT settings, for `AuthorizationKind.JWT`. */
    public readonly jwtProps?: JwtAuthorizationProps,
  ) {}
}
