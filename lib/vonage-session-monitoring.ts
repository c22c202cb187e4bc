import { Duration, Token } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, IConstruct } from 'constructs';
import { HandlerBundle } from './asset-paths';
import { ID_PATTERNS as REQUEST_ID_PATTERNS } from '../contract/identifiers';
import { acknowledgeInvokeGrant } from './nag-acknowledgements';
import { acknowledgeNagFinding } from './nag-finding-ids';
import { TrackerFunction } from './tracker-function';
import { VONAGE_CALLBACK_PROTECTION } from './vonage-callback-protection';

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
   * @default - the tracker's `DEFAULT_LIMIT` from `environment`
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
  /** Where the routes go: `vonage/session-monitoring` and `vonage/tokens` are added under it (e.g. `api.root`). */
  readonly resource: apigw.IResource;
  /** Secret holding the Momento data key (the tracker's). */
  readonly dataKeySecret: secretsmanager.ISecret;
  /**
   * The environment shared with the tracker's request-path functions (`CACHE_NAME`,
   * `DATA_KEY_SECRET_ARN`, `ACCOUNT_SOURCE`, ...); the Vonage variables are added to it.
   */
  readonly environment: Record<string, string>;
  /**
   * Method options of `POST /vonage/tokens`.
   * @default - the API's default method options (the tracker's authorisation)
   */
  readonly tokenMethodOptions?: apigw.MethodOptions;
  /**
   * Retention of the functions' logs.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Bus the lifecycle events go to (must match `EVENT_BUS_NAME` in `environment`).
   * @default - no events
   */
  readonly eventBus?: events.IEventBus;
  /**
   * The tracker's admission hook (must match `ADMISSION_HOOK_ARN` if set in `environment`).
   * @default - no hook
   */
  readonly admissionHook?: lambda.IFunction;
}

/** Bundles under `assets/` (built by `npm run bundle` from `lambda/<name>/index.ts`). */
const BUNDLES = {
  callback: 'vonage-session-monitoring',
  tokens: 'vonage-tokens',
  durationCheck: 'vonage-duration-check',
} as const satisfies Record<string, HandlerBundle>;

/**
 * Vonage Video session monitoring on the tracker's engine: the signed callback endpoint, the
 * token endpoint that admits before it vends, and a scheduled check that empties rooms whose
 * duration ran out. Seats are the engine's leases in Momento; nothing is kept in a function.
 */
export class VonageSessionMonitoring extends Construct {
  /** Handles `POST /vonage/session-monitoring`. */
  public readonly callbackFunction: lambda.Function;
  /** Handles `POST /vonage/tokens`. */
  public readonly tokenFunction: lambda.Function;
  /** Run every minute: disconnects everyone in a room whose duration ran out. */
  public readonly durationCheckFunction: lambda.Function;
  /** The rule running the duration check. */
  public readonly durationCheckRule: events.Rule;
  /** `POST /vonage/session-monitoring`: the URL to enter in the Vonage dashboard. */
  public readonly callbackMethod: apigw.Method;
  /** `POST /vonage/tokens`. */
  public readonly tokenMethod: apigw.Method;
  /** The `vonage` resource. */
  public readonly resource: apigw.Resource;
  /** The log groups of the callback, token and duration-check functions (in that order). */
  public readonly logGroups: logs.LogGroup[] = [];

  constructor(scope: Construct, id: string, props: VonageSessionMonitoringProps) {
    super(scope, id);
    const roomPolicies = checkVonageProps(props);
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;

    const environment: Record<string, string> = {
      ...props.environment,
      VONAGE_APPLICATION_ID: props.applicationId,
      VONAGE_PRIVATE_KEY_SECRET_ARN: props.privateKey.secretArn,
      VONAGE_ROOM_POLICIES: JSON.stringify(roomPolicies),
      VONAGE_TOKEN_TTL_SECONDS: String((props.tokenLifetime ?? Duration.hours(1)).toSeconds()),
      VONAGE_RESERVATION_SECONDS: String((props.reservationTimeout ?? Duration.minutes(2)).toSeconds()),
    };
    if (props.accountLimit !== undefined) environment.VONAGE_ACCOUNT_LIMIT = String(props.accountLimit);

    this.callbackFunction = this.handler('Callback', BUNDLES.callback, 'Verifies Vonage session-monitoring callbacks and enforces room policies.', {
      ...environment,
      VONAGE_CALLBACK_SECRET_ARN: props.callbackSignatureSecret.secretArn,
      POWERTOOLS_SERVICE_NAME: BUNDLES.callback,
    }, logRetention);
    this.tokenFunction = this.handler('Tokens', BUNDLES.tokens, 'Admits a user to a Vonage room and vends a client token.', {
      ...environment,
      POWERTOOLS_SERVICE_NAME: BUNDLES.tokens,
    }, logRetention);
    this.durationCheckFunction = this.handler('DurationCheck', BUNDLES.durationCheck, 'Disconnects everyone in Vonage rooms whose duration ran out.', {
      ...environment,
      POWERTOOLS_SERVICE_NAME: BUNDLES.durationCheck,
    }, logRetention, Duration.seconds(60));

    // Least privilege: the signature secret is read by the callback function only.
    const all = [this.callbackFunction, this.tokenFunction, this.durationCheckFunction];
    for (const fn of all) {
      props.dataKeySecret.grantRead(fn);
      props.privateKey.grantRead(fn);
      props.eventBus?.grantPutEventsTo(fn);
    }
    props.callbackSignatureSecret.grantRead(this.callbackFunction);
    if (props.admissionHook) {
      iam.Grant.addToPrincipal({ grantee: this.tokenFunction, actions: ['lambda:InvokeFunction'], resourceArns: [props.admissionHook.functionArn] });
    }

    this.durationCheckRule = new events.Rule(this, 'DurationCheckSchedule', {
      description: 'Runs the Vonage room duration check every minute.',
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [new targets.LambdaFunction(this.durationCheckFunction, { retryAttempts: 0 })],
    });

    this.resource = props.resource.addResource('vonage');
    // Vonage cannot sign requests with SigV4 or a JWT the API understands: the function verifies
    // the HS256-signed callback itself and answers 401 to anything else.
    this.callbackMethod = this.resource
      .addResource('session-monitoring')
      .addMethod('POST', new apigw.LambdaIntegration(this.callbackFunction), { authorizationType: apigw.AuthorizationType.NONE });
    // Mirrors the runtime's body schema (lambda/vonage/room-token-request.ts), so a malformed
    // request is refused at the edge; the handler validates again.
    const tokenRequestModel = new apigw.Model(this, 'TokenRequestModel', {
      restApi: props.resource.api,
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
      restApi: props.resource.api,
      validateRequestBody: true,
    });
    this.tokenMethod = this.resource.addResource('tokens').addMethod('POST', new apigw.LambdaIntegration(this.tokenFunction), {
      ...props.tokenMethodOptions,
      requestValidator: bodyValidator,
      requestModels: { 'application/json': tokenRequestModel },
    });

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

  private handler(id: string, bundle: HandlerBundle, description: string, environment: Record<string, string>, logRetention: logs.RetentionDays, timeout?: Duration): lambda.Function {
    const created = new TrackerFunction(this, id, { bundle, description, environment, logRetention, timeout });
    this.logGroups.push(created.logGroup);
    return created.function;
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
          : 'The method uses the tracker\'s Lambda authoriser, which verifies the JWT signature, issuer, audience and expiry.',
      );
    }
  }
}

/** The JSON of `VONAGE_ROOM_POLICIES` (the runtime's schema, `lambda/vonage/room-policy.ts`). */
export interface VonageRoomPoliciesJson {
  readonly types: Record<string, Record<string, unknown>>;
  readonly rooms: Array<{ match: string; type: string }>;
  readonly defaultType: string;
}

/** Checks the props and returns the runtime's room-policy document; throws what to change. */
export function checkVonageProps(props: VonageSessionMonitoringOptions & { readonly environment?: Record<string, string> }): VonageRoomPoliciesJson {
  if (!Token.isUnresolved(props.applicationId) && props.applicationId.trim() === '') {
    throw new Error('vonage.applicationId is empty: pass the id of the Vonage application that owns the sessions.');
  }
  if (props.environment && !props.environment.CACHE_NAME) {
    throw new Error('VonageSessionMonitoring needs the tracker environment (CACHE_NAME, DATA_KEY_SECRET_ARN, ...) in `environment`.');
  }
  const roomTypes = props.roomTypes ?? { 'one-to-one': { capacity: 2 } };
  const names = Object.keys(roomTypes);
  if (names.length === 0) throw new Error('vonage.roomTypes is empty: define at least one room type.');
  const defaultType = props.defaultRoomType ?? names[0];
  const types: Record<string, Record<string, unknown>> = {};
  for (const [name, policy] of Object.entries(roomTypes)) {
    if (!Number.isInteger(policy.capacity) || policy.capacity < 1 || policy.capacity > 100) {
      throw new Error(`vonage.roomTypes["${name}"].capacity must be a whole number from 1 to 100, got ${policy.capacity}.`);
    }
    const durationSeconds = policy.duration ? policy.duration.toSeconds() : 0;
    if (policy.duration && durationSeconds < 60) throw new Error(`vonage.roomTypes["${name}"].duration must be at least one minute (the check runs every minute).`);
    const startsWhen = policy.durationStartsWhen ?? 1;
    if (!Number.isInteger(startsWhen) || startsWhen < 1 || startsWhen > policy.capacity) {
      throw new Error(`vonage.roomTypes["${name}"].durationStartsWhen must be from 1 to its capacity (${policy.capacity}), got ${startsWhen}.`);
    }
    types[name] = {
      capacity: policy.capacity,
      durationSeconds,
      durationStartsWhen: startsWhen,
      admission: policy.ticketsRequired ? 'tickets' : 'open',
      ...(policy.defaultRole ? { defaultRole: policy.defaultRole } : {}),
      ...(policy.publish ? { publish: policy.publish } : {}),
    };
  }
  const rooms = (props.rooms ?? []).map((room) => ({ match: room.pattern, type: room.roomType }));
  for (const type of [defaultType, ...rooms.map((room) => room.type)]) {
    if (!types[type]) throw new Error(`vonage room type "${type}" is not defined in vonage.roomTypes (${names.join(', ')}).`);
  }
  if (props.accountLimit !== undefined && (!Number.isInteger(props.accountLimit) || props.accountLimit < 0 || props.accountLimit > 100)) {
    throw new Error(`vonage.accountLimit must be a whole number from 0 to 100, got ${props.accountLimit}.`);
  }
  const tokenSeconds = props.tokenLifetime?.toSeconds();
  if (tokenSeconds !== undefined && (tokenSeconds < 60 || tokenSeconds > 30 * 24 * 3600)) {
    throw new Error('vonage.tokenLifetime must be from one minute to 30 days (Vonage\'s maximum).');
  }
  const reservationSeconds = props.reservationTimeout?.toSeconds();
  if (reservationSeconds !== undefined && (reservationSeconds < 5 || reservationSeconds > 3600)) {
    throw new Error('vonage.reservationTimeout must be from 5 seconds to one hour.');
  }
  return { types, rooms, defaultType };
}
