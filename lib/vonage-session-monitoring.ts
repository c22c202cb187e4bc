import { Duration } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, IConstruct } from 'constructs';
import type { ConcurrencyTracker } from './concurrency-tracker';
import { HandlerBundle } from './private/asset-paths';
import { acknowledgeInvokeGrant } from './private/nag-acknowledgements';
import { acknowledgeNagFinding } from './private/nag-finding-ids';
import { PropProblems } from './private/prop-validation';
import { TrackerFunction } from './private/tracker-function';
import { trackerInternals } from './private/tracker-internals';
import { VONAGE_CALLBACK_PROTECTION } from './private/vonage-callback-protection';
import { vonageEnvironment } from './private/vonage-environment';
import { checkVonageProps } from './private/vonage-prop-checks';
import { ID_PATTERNS as REQUEST_ID_PATTERNS } from '../contract/identifiers';

/** What a published stream is, from the callback's `videoType`. */
export enum VonageStreamKind {
  /** A camera. */
  CAMERA = 'camera',
  /** A screen share (`videoType: "screen"`). */
  SCREEN = 'screen',
  /** A custom video source. */
  CUSTOM = 'custom',
  /** Audio only (no video). */
  AUDIO = 'audio',
}

/** The policy of one room type. */
export interface VonageRoomPolicy {
  /** Seats in the room: 2 for a one-to-one lesson. Tokens beyond it get 409; a connection beyond it is disconnected. */
  readonly capacity: number;
  /**
   * How long the room lasts once started; then everyone is disconnected and the room is closed.
   * @default - no time limit
   */
  readonly duration?: Duration;
  /**
   * The duration starts when this many participants are connected (the article's lessons: 2).
   * @default 1
   */
  readonly durationStartsWhen?: number;
  /**
   * Only users on the room's ticket list (a Momento item per ticket, or the admission hook) may join.
   * @default false
   */
  readonly ticketsRequired?: boolean;
  /**
   * Role of a user whose ticket names none.
   * @default 'participant'
   */
  readonly defaultRole?: string;
  /**
   * Stream kinds each role may publish; the role `*` covers unlisted roles. A stream outside its
   * role's list is stopped (signal, then disconnect: Vonage's REST API has no force-unpublish).
   * @default - every role may publish every kind
   */
  readonly publish?: Record<string, VonageStreamKind[]>;
}

/** Maps room ids to a room type. */
export interface VonageRoomMatch {
  /** Room id pattern; `*` matches any run of characters (`lesson-*`). */
  readonly pattern: string;
  /** A key of `roomTypes`. */
  readonly roomType: string;
}

/** The Vonage options of `ConcurrencyTracker` (its `vonage` prop). */
export interface VonageSessionMonitoringOptions {
  /** The Vonage application id (the project the sessions belong to). */
  readonly applicationId: string;
  /** Secret holding the Vonage application's private key (PEM); read by the three functions only. */
  readonly privateKey: secretsmanager.ISecret;
  /** Secret holding the session-monitoring callback's signature secret; read by the callback function only. */
  readonly callbackSignatureSecret: secretsmanager.ISecret;
  /**
   * Room types by name.
   * @default - one type, `one-to-one`: two seats, no time limit, anyone authenticated may join
   */
  readonly roomTypes?: Record<string, VonageRoomPolicy>;
  /**
   * Which rooms are of which type; first match wins.
   * @default - every room is of `defaultRoomType`
   */
  readonly rooms?: VonageRoomMatch[];
  /**
   * Type of a room no pattern matches.
   * @default - the first key of `roomTypes`
   */
  readonly defaultRoomType?: string;
  /**
   * Rooms one user may be in at once (0: no limit).
   * @default - the tracker's `defaultLimit`
   */
  readonly accountLimit?: number;
  /**
   * Longest lifetime of a client token (shortened to what remains of a timed room).
   * @default Duration.hours(1)
   */
  readonly tokenLifetime?: Duration;
  /**
   * How long a seat reserved at token time waits for the user to connect.
   * @default Duration.minutes(2)
   */
  readonly reservationTimeout?: Duration;
}

/** Properties of `VonageSessionMonitoring`. */
export interface VonageSessionMonitoringProps extends VonageSessionMonitoringOptions {
  /**
   * The tracker whose engine, cache, secrets, authorisation and logs the Vonage functions share;
   * the routes `vonage/session-monitoring` and `vonage/tokens` are added to its API.
   */
  readonly tracker: ConcurrencyTracker;
}

/** The three functions: bundle under `assets/`, description, timeout. */
const FUNCTIONS = {
  Callback: {
    bundle: 'vonage-session-monitoring',
    description: 'Verifies Vonage session-monitoring callbacks and enforces room policies.',
  },
  Tokens: { bundle: 'vonage-tokens', description: 'Admits a user to a Vonage room and vends a client token.' },
  DurationCheck: {
    bundle: 'vonage-duration-check',
    description: 'Disconnects everyone in Vonage rooms whose duration ran out.',
  },
} as const satisfies Record<string, { bundle: HandlerBundle; description: string }>;

/**
 * Vonage Video session monitoring on the tracker's engine: the signed callback endpoint, the
 * token endpoint that admits before it vends, and a scheduled check that empties rooms whose
 * duration ran out. Seats are the engine's leases in Momento; nothing is kept in a function.
 * The tracker's `vonage` prop creates one; so can a stack, with the tracker in its props.
 */
export class VonageSessionMonitoring extends Construct {
  /** Handles `POST /vonage/session-monitoring`. */
  public readonly callbackFunction: lambda.IFunction;
  /** Handles `POST /vonage/tokens`. */
  public readonly tokenFunction: lambda.IFunction;
  /** Run every minute: disconnects everyone in a room whose duration ran out. */
  public readonly durationCheckFunction: lambda.IFunction;
  /** The rule running the duration check. */
  public readonly durationCheckRule: events.Rule;
  /** `POST /vonage/session-monitoring`: the URL to enter in the Vonage dashboard. */
  public readonly callbackMethod: apigw.Method;
  /** `POST /vonage/tokens`. */
  public readonly tokenMethod: apigw.Method;
  /** The log groups of the callback, token and duration-check functions (in that order). */
  public readonly logGroups: logs.ILogGroup[];

  constructor(scope: Construct, id: string, props: VonageSessionMonitoringProps) {
    super(scope, id);
    const problems = new PropProblems();
    const roomPolicies = checkVonageProps(props, problems);
    problems.throwIfAny(this, 'VonageSessionMonitoring');
    const tracker = props.tracker;
    const internals = trackerInternals(tracker);
    const environment = vonageEnvironment(internals.settings, props, {
      eventBusName: tracker.eventBus?.eventBusName,
      dataKeySecretArn: tracker.dataKeySecret.secretArn,
      admissionHookArn: internals.admissionHook?.functionArn,
      privateKeySecretArn: props.privateKey.secretArn,
      roomPolicies,
    });
    const create = (name: keyof typeof FUNCTIONS, extra: Record<string, string> = {}, timeout?: Duration) =>
      new TrackerFunction(this, name, {
        ...FUNCTIONS[name],
        environment: { ...environment, POWERTOOLS_SERVICE_NAME: FUNCTIONS[name].bundle, ...extra },
        defaults: internals.functionDefaults,
        defaultTimeout: timeout,
        scheduled: name === 'DurationCheck',
      });
    const callback = create('Callback', { VONAGE_CALLBACK_SECRET_ARN: props.callbackSignatureSecret.secretArn });
    const tokens = create('Tokens');
    const durationCheck = create('DurationCheck', {}, Duration.seconds(60));
    this.callbackFunction = callback.function;
    this.tokenFunction = tokens.function;
    this.durationCheckFunction = durationCheck.function;
    this.logGroups = [callback.logGroup, tokens.logGroup, durationCheck.logGroup];

    this.grantAccess(props);
    this.durationCheckRule = new events.Rule(this, 'DurationCheckSchedule', {
      description: 'Runs the Vonage room duration check every minute.',
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [new targets.LambdaFunction(this.durationCheckFunction, { retryAttempts: 0 })],
    });
    const routes = this.addRoutes(tracker.api);
    this.callbackMethod = routes.callbackMethod;
    this.tokenMethod = routes.tokenMethod;
    this.acknowledgeNagFindings();
  }

  /**
   * Lets a backend principal call `POST /vonage/tokens` (`execute-api:Invoke` on that route only),
   * when the tracker's authorisation is IAM: a backend that vends room tokens on its users' behalf,
   * passing `accountId` in the body.
   */
  public grantTokens(grantee: iam.IGrantable): iam.Grant {
    const resourceArns = [this.tokenMethod.methodArn];
    acknowledgeInvokeGrant(grantee, resourceArns);
    return iam.Grant.addToPrincipal({ grantee, actions: ['execute-api:Invoke'], resourceArns });
  }

  /** Least privilege: the signature secret is read by the callback function only. */
  private grantAccess(props: VonageSessionMonitoringProps): void {
    const hook = trackerInternals(props.tracker).admissionHook;
    for (const fn of [this.callbackFunction, this.tokenFunction, this.durationCheckFunction]) {
      props.tracker.dataKeySecret.grantRead(fn);
      props.privateKey.grantRead(fn);
      props.tracker.eventBus?.grantPutEventsTo(fn);
    }
    props.callbackSignatureSecret.grantRead(this.callbackFunction);
    if (hook) {
      iam.Grant.addToPrincipal({
        grantee: this.tokenFunction,
        actions: ['lambda:InvokeFunction'],
        resourceArns: [hook.functionArn],
      });
    }
  }

  /**
   * `POST /vonage/session-monitoring` (the function verifies the signature) and `POST /vonage/tokens`
   * (the tracker's authorisation).
   */
  private addRoutes(api: apigw.RestApi): { callbackMethod: apigw.Method; tokenMethod: apigw.Method } {
    const resource = api.root.addResource('vonage');
    // Vonage cannot sign requests with SigV4 or a JWT the API understands: the function verifies
    // the HS256-signed callback itself and answers 401 to anything else.
    const callbackMethod = resource
      .addResource('session-monitoring')
      .addMethod('POST', new apigw.LambdaIntegration(this.callbackFunction), {
        authorizationType: apigw.AuthorizationType.NONE,
      });
    // Mirrors the runtime's body schema (lambda/vonage/room-token-request.ts), so a malformed
    // request is refused at the edge; the handler validates again.
    const tokenRequestModel = new apigw.Model(this, 'TokenRequestModel', {
      restApi: api,
      contentType: 'application/json',
      schema: {
        schema: apigw.JsonSchemaVersion.DRAFT4,
        title: 'VonageTokenRequest',
        type: apigw.JsonSchemaType.OBJECT,
        required: ['roomId'],
        properties: {
          roomId: { type: apigw.JsonSchemaType.STRING, pattern: REQUEST_ID_PATTERNS.roomId },
          accountId: { type: apigw.JsonSchemaType.STRING, pattern: REQUEST_ID_PATTERNS.accountId },
        },
      },
    });
    const bodyValidator = new apigw.RequestValidator(this, 'TokenRequestValidator', {
      restApi: api,
      validateRequestBody: true,
    });
    const tokenIntegration = new apigw.LambdaIntegration(this.tokenFunction);
    const tokenMethod = resource.addResource('tokens').addMethod('POST', tokenIntegration, {
      requestValidator: bodyValidator,
      requestModels: { 'application/json': tokenRequestModel },
    });
    return { callbackMethod, tokenMethod };
  }

  private acknowledgeNagFindings(): void {
    const acknowledge = (scope: IConstruct | undefined, findingId: string, reason: string) => {
      if (scope) acknowledgeNagFinding(scope, findingId, reason);
    };
    // The functions acknowledge their own findings (TrackerFunction).
    acknowledge(this.callbackMethod, 'AwsSolutions-APIG4', VONAGE_CALLBACK_PROTECTION);
    acknowledge(this.callbackMethod, 'AwsSolutions-COG4', VONAGE_CALLBACK_PROTECTION);
    // The token route uses the tracker's authorisation; IAM and the JWT authoriser are deliberate
    // alternatives to Cognito. A route left without authorisation stays reported.
    const tokenAuth = (this.tokenMethod.node.defaultChild as apigw.CfnMethod).authorizationType;
    if (tokenAuth === apigw.AuthorizationType.IAM || tokenAuth === apigw.AuthorizationType.CUSTOM) {
      acknowledge(
        this.tokenMethod,
        'AwsSolutions-COG4',
        tokenAuth === apigw.AuthorizationType.IAM
          ? 'The method uses IAM (SigV4) authorisation: only backends granted execute-api:Invoke can call it.'
          : "The method uses the tracker's Lambda authoriser, which verifies the JWT signature, issuer, audience " +
              'and expiry.',
      );
    }
  }
}
