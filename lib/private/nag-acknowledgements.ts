import { Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, IConstruct } from 'constructs';
import type { ConcurrencyTracker } from '../concurrency-tracker';
import { acknowledgeInPacks, acknowledgeNagFinding, COMPLIANCE_PACKS, nagFindingId } from './nag-finding-ids';
import { acknowledgeInlinePolicies } from './tracker-function';
import { AuthorizationKind, TrackerAuthorization } from '../tracker-authorization';
import { HeartbeatSubscriberService } from './heartbeat-subscriber-service';
import { VONAGE_CALLBACK_PROTECTION } from './vonage-callback-protection';

// cdk-nag AwsSolutions findings that are intrinsic to the design, acknowledged on the object that
// raises them (never on the stack), each with the reason. Users inherit them; anything they add
// themselves is still checked.

const API_GATEWAY_LOGS = nagFindingId(
  'AwsSolutions-IAM4',
  'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs',
);

function acknowledge(scope: IConstruct | undefined, id: string, reason: string): void {
  if (scope) acknowledgeNagFinding(scope, id, reason);
}

/** What the tracker's acknowledgements need to know about it. */
export interface TrackerNagContext {
  readonly authorization: TrackerAuthorization;
  readonly methods: apigw.Method[];
  readonly subscribers: HeartbeatSubscriberService[];
  /** The Momento key secrets created here (a secret the user passed in is theirs to judge). */
  readonly createdSecrets: secretsmanager.ISecret[];
  /** The generated session-key secret. */
  readonly sessionKeySecret?: secretsmanager.ISecret;
  readonly vonage: boolean;
}

/** Acknowledges the design-intrinsic findings on the tracker's resources. */
export function acknowledgeNagFindings(tracker: ConcurrencyTracker, context: TrackerNagContext): void {
  // The functions acknowledge their own findings (TrackerFunction).
  const api = tracker.api;
  acknowledge(
    api.deploymentStage,
    'AwsSolutions-APIG3',
    (context.vonage
      ? 'Every method this construct creates except POST /vonage/session-monitoring requires IAM, Cognito or ' +
        `verified-JWT authorisation, and the stage is throttled. ${VONAGE_CALLBACK_PROTECTION} `
      : 'Every method this construct creates requires IAM, Cognito or verified-JWT authorisation, and the stage is ' +
        'throttled. ') + "A WAF web ACL (cost, rule choice) is the consumer's choice, through the webAclArn prop.",
  );
  const cloudWatchRole = api.node.tryFindChild('CloudWatchRole');
  acknowledge(
    cloudWatchRole,
    API_GATEWAY_LOGS,
    'AmazonAPIGatewayPushToCloudWatchLogs is the policy AWS defines for API Gateway to write the access and ' +
      'execution logs this API is required to keep; it grants log writes only.',
  );
  if (context.authorization.kind !== AuthorizationKind.COGNITO) {
    const reason =
      context.authorization.kind === AuthorizationKind.IAM
        ? 'The method uses IAM (SigV4) authorisation: only backends granted execute-api:Invoke through ' +
          'grantInvoke() can call it.'
        : 'The method uses a Lambda authoriser that verifies the JWT signature (issuer JWKS), issuer, audience ' +
          'and expiry; Cognito is one possible issuer, not a requirement.';
    for (const method of context.methods) acknowledge(method, 'AwsSolutions-COG4', reason);
  }

  for (const subscriber of context.subscribers) {
    acknowledge(
      subscriber.taskDefinition,
      'AwsSolutions-ECS2',
      'The environment holds non-secret settings only (cache and topic names, timings, limits, secret ARNs). The ' +
        'Momento data key and the session-key secret are read by ARN from Secrets Manager with the task role at run time, never environment values.',
    );
    acknowledge(
      subscriber.taskDefinition.executionRole,
      nagFindingId('AwsSolutions-IAM5', 'Resource::*'),
      'ecr:GetAuthorizationToken cannot be scoped to a resource; the image pull itself is limited to the CDK ' +
        'asset repository.',
    );
  }

  const momentoKeyRotation =
    'The secret holds a Momento API key, which only Momento can issue: a Secrets Manager rotation Lambda ' +
    'cannot create a new one. Rotate by issuing a key in Momento and running put-secret-value (README).';
  for (const secret of context.createdSecrets) {
    acknowledge(secret, 'AwsSolutions-SMG4', momentoKeyRotation);
  }
  acknowledgeComplianceFindings(api, context, momentoKeyRotation);
}

/** The NIST 800-53 R5, HIPAA Security and PCI DSS 3.2.1 findings intrinsic to the design. */
function acknowledgeComplianceFindings(
  api: apigw.RestApi,
  context: TrackerNagContext,
  momentoKeyRotation: string,
): void {
  const { nist, hipaa, pci } = COMPLIANCE_PACKS;
  acknowledgeInPacks(
    api.deploymentStage,
    'APIGWCacheEnabledAndEncrypted',
    [nist, hipaa, pci],
    'Every answer of this API must reflect the counts at that moment: a cached session check would keep saying a ' +
      'session is counted after it was ended or evicted, and admissions (POST) are never cacheable. The stage has ' +
      'no cache, so no response data is stored at rest by API Gateway.',
  );
  acknowledgeInPacks(
    api.deploymentStage,
    'APIGWSSLEnabled',
    [nist, hipaa, pci],
    'The rule asks for a client certificate that API Gateway presents to an HTTP backend. Every integration here ' +
      'is a Lambda proxy integration, which API Gateway calls through the Lambda API over TLS with SigV4; there is ' +
      'no HTTP backend to present a certificate to. Clients reach the stage over HTTPS only.',
  );
  for (const subscriber of context.subscribers) {
    acknowledgeInlinePolicies(subscriber.taskDefinition.taskRole);
    if (subscriber.taskDefinition.executionRole) acknowledgeInlinePolicies(subscriber.taskDefinition.executionRole);
  }
  for (const secret of context.createdSecrets) {
    acknowledgeInPacks(secret, 'SecretsManagerRotationEnabled', [nist, hipaa], momentoKeyRotation);
  }
  if (context.sessionKeySecret) {
    acknowledgeInPacks(
      context.sessionKeySecret,
      'SecretsManagerRotationEnabled',
      [nist, hipaa],
      'A new value invalidates the session key of every running session at once (their heartbeats are refused ' +
        'until they are admitted again), so it is rotated by hand when needed (README), not on a schedule.',
    );
  }
}

/**
 * A resolved CloudFormation value flattened the way cdk-nag names findings (`Ref` becomes `<Id>`,
 * `Fn::GetAtt` `<Id.Attr>`, `Fn::Join` is joined); undefined for anything else.
 */
function flattenForNag(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const node = value as Record<string, unknown>;
    if (typeof node.Ref === 'string') return `<${node.Ref}>`;
    const getAtt = node['Fn::GetAtt'];
    if (Array.isArray(getAtt) && getAtt.length === 2) return `<${getAtt[0]}.${getAtt[1]}>`;
    const join = node['Fn::Join'];
    if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
      const parts = join[1].map(flattenForNag);
      return parts.every((p) => p !== undefined) ? parts.join(join[0]) : undefined;
    }
  }
  return undefined;
}

/**
 * `grantInvoke` has to use wildcards for the path parameters (`/accounts/<any>/sessions`); those
 * IAM5 findings on the grantee's policy come from this construct's routes, so they are
 * acknowledged here, each for its exact resource, on the grantee only.
 */
export function acknowledgeInvokeGrant(grantee: iam.IGrantable, resourceArns: string[]): void {
  const principal = Construct.isConstruct(grantee.grantPrincipal) ? grantee.grantPrincipal : grantee;
  if (!Construct.isConstruct(principal)) return;
  const stack = Stack.of(principal);
  for (const arn of resourceArns) {
    const flat = flattenForNag(stack.resolve(arn));
    if (flat === undefined || !flat.includes('*')) continue;
    acknowledge(
      principal,
      nagFindingId('AwsSolutions-IAM5', `Resource::${flat}`),
      'The wildcard stands for the {accountId} and {sessionId} path parameters of one route of the tracker API; ' +
        'the grant covers that route and method only.',
    );
  }
}
