import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { TrackerFunctionOptions } from '../tracker-function-options';
import { JwtAuthorizerFunction } from './jwt-authorizer-function';
import { TrackerFunctionDefaults } from './tracker-function';
import { trackerLogGroup } from './tracker-log-group';
import { ResolvedApiThrottle } from './tracker-settings';
import { ID_PATTERNS as REQUEST_ID_PATTERNS } from '../../contract/identifiers';
import { acknowledgeInvokeGrant } from './nag-acknowledgements';
import { AuthorizationKind, TrackerAuthorization } from '../tracker-authorization';

/** Properties of `TrackerApi`. */
export interface TrackerApiProps {
  /** Handles `POST /tokens`. */
  readonly tokenVendingFunction: lambda.IFunction;
  /** Handles `GET /accounts/{accountId}/sessions` and `GET`/`DELETE .../sessions/{sessionId}`. */
  readonly entitlementFunction: lambda.IFunction;
  /** How callers authenticate. */
  readonly authorization: TrackerAuthorization;
  /** Stage throttling. */
  readonly throttle: ResolvedApiThrottle;
  /** Create the account-wide API Gateway logging role. */
  readonly cloudWatchRole: boolean;
  /** Logs (access log, JWT authoriser) and X-Ray tracing (stage, JWT authoriser). */
  readonly defaults: TrackerFunctionDefaults;
  /** Sizing of the JWT authoriser. */
  readonly jwtAuthorizerFunction?: TrackerFunctionOptions;
  /** WAF web ACL associated with the stage. */
  readonly webAclArn?: string;
  /** Custom domain of the API. */
  readonly domainName?: apigw.DomainNameOptions;
}

/** Name of the API's only stage. */
export const API_STAGE_NAME = 'v1';

// Mirrors the engine's token request schema (lambda/core/messages/token-request.ts) so a malformed request
// is refused at the edge, before a Lambda runs; the handler validates again.
const TOKEN_REQUEST_SCHEMA: apigw.JsonSchema = {
  schema: apigw.JsonSchemaVersion.DRAFT4,
  title: 'TokenRequest',
  type: apigw.JsonSchemaType.OBJECT,
  required: ['deviceId'],
  properties: {
    accountId: { type: apigw.JsonSchemaType.STRING, pattern: REQUEST_ID_PATTERNS.accountId },
    deviceId: { type: apigw.JsonSchemaType.STRING, pattern: REQUEST_ID_PATTERNS.deviceId },
    contentId: { type: apigw.JsonSchemaType.STRING, pattern: REQUEST_ID_PATTERNS.contentId },
    kind: { type: apigw.JsonSchemaType.STRING, pattern: REQUEST_ID_PATTERNS.kind },
    // Display only; its character rule (Unicode letters) is checked by the handler.
    deviceName: { type: apigw.JsonSchemaType.STRING, minLength: 1, maxLength: 64 },
    sessionId: { type: apigw.JsonSchemaType.STRING, pattern: REQUEST_ID_PATTERNS.sessionId },
    sessionKey: { type: apigw.JsonSchemaType.STRING, pattern: REQUEST_ID_PATTERNS.sessionKey },
  },
};

/**
 * The error body of the HTTP contract, for responses API Gateway produces itself. Gateway response
 * templates get plain variable substitution (no VTL, no escaping), so only
 * `$context.error.messageString`, which API Gateway quotes itself, is safe inside JSON; the
 * validation detail (`validationErrorString`) contains unescaped quotes and is left out.
 */
function errorTemplate(code: string): Record<string, string> {
  return { 'application/json': `{"error":"${code}","message":$context.error.messageString}` };
}

/**
 * The tracker's REST API: four routes with request validation, access logging, stage throttling
 * and IAM, Cognito or JWT authorisation on every method.
 */
export class TrackerApi extends Construct {
  /** The REST API. */
  public readonly api: apigw.RestApi;
  /** The access log of the stage. */
  public readonly accessLogGroup: logs.LogGroup;
  /** The JWT authoriser's function, when JWT authorisation is used. */
  public readonly jwtAuthorizerFunction?: lambda.Function;
  /** The methods, for `grantInvoke` and nag acknowledgements. */
  public readonly methods: apigw.Method[];

  constructor(scope: Construct, id: string, props: TrackerApiProps) {
    super(scope, id);

    this.accessLogGroup = trackerLogGroup(this, 'AccessLogs', props.defaults.logs);

    if (props.authorization.kind === AuthorizationKind.JWT) {
      this.jwtAuthorizerFunction = new JwtAuthorizerFunction(this, 'JwtAuthorizer', {
        jwt: props.authorization.jwtProps!,
        defaults: props.defaults,
        options: props.jwtAuthorizerFunction,
      }).function;
    }
    const methodOptions = this.methodOptions(props.authorization);

    this.api = new apigw.RestApi(this, 'Api', {
      description: 'Concurrency tracker: admits devices, checks entitlements, ends sessions.',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      cloudWatchRole: props.cloudWatchRole,
      domainName: props.domainName,
      deployOptions: {
        stageName: API_STAGE_NAME,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
        throttlingRateLimit: props.throttle.rateLimit,
        throttlingBurstLimit: props.throttle.burstLimit,
        // Execution logs at ERROR only and without bodies: request bodies carry account ids.
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
        tracingEnabled: props.defaults.tracing,
      },
      defaultMethodOptions: methodOptions,
    });

    // RestApi always adds an `Endpoint` CfnOutput; outputs belong to the consumer's stack (they can
    // collide and cannot be removed once exported), so the reusable construct drops it.
    this.api.node.tryRemoveChild('Endpoint');

    this.addErrorResponses();

    if (props.webAclArn) {
      new wafv2.CfnWebACLAssociation(this, 'WebAcl', {
        resourceArn: this.api.deploymentStage.stageArn,
        webAclArn: props.webAclArn,
      });
    }

    const bodyValidator = this.api.addRequestValidator('BodyAndParameters', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const parameterValidator = this.api.addRequestValidator('Parameters', {
      validateRequestParameters: true,
    });
    const tokenRequestModel = this.api.addModel('TokenRequest', {
      contentType: 'application/json',
      schema: TOKEN_REQUEST_SCHEMA,
    });

    const tokens = this.api.root.addResource('tokens');
    const postTokens = tokens.addMethod('POST', new apigw.LambdaIntegration(props.tokenVendingFunction), {
      requestValidator: bodyValidator,
      requestModels: { 'application/json': tokenRequestModel },
    });

    const sessions = this.api.root.addResource('accounts').addResource('{accountId}').addResource('sessions');
    const entitlement = new apigw.LambdaIntegration(props.entitlementFunction);
    const getSessions = sessions.addMethod('GET', entitlement, {
      requestValidator: parameterValidator,
      requestParameters: { 'method.request.path.accountId': true },
    });
    const session = sessions.addResource('{sessionId}');
    const sessionParameters = {
      'method.request.path.accountId': true,
      'method.request.path.sessionId': true,
    };
    // The session check: what a licence server or CDN origin asks before each renewal.
    const checkSession = session.addMethod('GET', entitlement, {
      requestValidator: parameterValidator,
      requestParameters: sessionParameters,
    });
    const deleteSession = session.addMethod('DELETE', entitlement, {
      requestValidator: parameterValidator,
      requestParameters: sessionParameters,
    });
    this.methods = [postTokens, getSessions, checkSession, deleteSession];
  }

  /** Grants `execute-api:Invoke` on every route of the deployed stage. */
  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return this.grantRoutes(grantee, [
      this.api.arnForExecuteApi('POST', '/tokens', API_STAGE_NAME),
      this.api.arnForExecuteApi('GET', '/accounts/*/sessions', API_STAGE_NAME),
      this.api.arnForExecuteApi('GET', '/accounts/*/sessions/*', API_STAGE_NAME),
      this.api.arnForExecuteApi('DELETE', '/accounts/*/sessions/*', API_STAGE_NAME),
    ]);
  }

  /** Grants `execute-api:Invoke` on `POST /tokens` only. */
  public grantAdmit(grantee: iam.IGrantable): iam.Grant {
    return this.grantRoutes(grantee, [this.api.arnForExecuteApi('POST', '/tokens', API_STAGE_NAME)]);
  }

  /** Grants `execute-api:Invoke` on both `GET` routes (an account's sessions, one session). */
  public grantCheck(grantee: iam.IGrantable): iam.Grant {
    return this.grantRoutes(grantee, [
      this.api.arnForExecuteApi('GET', '/accounts/*/sessions', API_STAGE_NAME),
      this.api.arnForExecuteApi('GET', '/accounts/*/sessions/*', API_STAGE_NAME),
    ]);
  }

  /** Grants `execute-api:Invoke` on the session check (`GET /accounts/{accountId}/sessions/{sessionId}`) only. */
  public grantCheckSession(grantee: iam.IGrantable): iam.Grant {
    return this.grantRoutes(grantee, [this.api.arnForExecuteApi('GET', '/accounts/*/sessions/*', API_STAGE_NAME)]);
  }

  /** Grants `execute-api:Invoke` on `DELETE /accounts/{accountId}/sessions/{sessionId}` only. */
  public grantEvict(grantee: iam.IGrantable): iam.Grant {
    return this.grantRoutes(grantee, [this.api.arnForExecuteApi('DELETE', '/accounts/*/sessions/*', API_STAGE_NAME)]);
  }

  private grantRoutes(grantee: iam.IGrantable, resourceArns: string[]): iam.Grant {
    acknowledgeInvokeGrant(grantee, resourceArns);
    return iam.Grant.addToPrincipal({ grantee, actions: ['execute-api:Invoke'], resourceArns });
  }

  private methodOptions(auth: TrackerAuthorization): apigw.MethodOptions {
    switch (auth.kind) {
      case AuthorizationKind.IAM:
        return { authorizationType: apigw.AuthorizationType.IAM };
      case AuthorizationKind.COGNITO:
        return {
          authorizationType: apigw.AuthorizationType.COGNITO,
          authorizer: new apigw.CognitoUserPoolsAuthorizer(this, 'CognitoAuthorizer', {
            cognitoUserPools: auth.cognitoProps!.userPools,
          }),
        };
      case AuthorizationKind.JWT:
        return {
          authorizationType: apigw.AuthorizationType.CUSTOM,
          authorizer: new apigw.TokenAuthorizer(this, 'TokenAuthorizer', {
            handler: this.jwtAuthorizerFunction!,
            identitySource: apigw.IdentitySource.header('Authorization'),
          }),
        };
    }
  }

  /** Errors API Gateway answers itself get the same `{ error, message }` body as the handlers'. */
  private addErrorResponses(): void {
    const responses: Array<[string, apigw.ResponseType, string]> = [
      ['BadRequestBody', apigw.ResponseType.BAD_REQUEST_BODY, 'invalid-request'],
      ['BadRequestParameters', apigw.ResponseType.BAD_REQUEST_PARAMETERS, 'invalid-request'],
      ['Default4xx', apigw.ResponseType.DEFAULT_4XX, 'request-refused'],
      ['Default5xx', apigw.ResponseType.DEFAULT_5XX, 'internal'],
    ];
    for (const [id, type, code] of responses) this.api.addGatewayResponse(id, { type, templates: errorTemplate(code) });
  }
}
