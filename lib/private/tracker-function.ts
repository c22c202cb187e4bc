import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { TrackerFunctionOptions } from '../tracker-function-options';
import { assetPath, HandlerBundle } from './asset-paths';
import { acknowledgeInPacks, acknowledgeNagFinding, COMPLIANCE_PACKS, nagFindingId } from './nag-finding-ids';
import { LogGroupSettings, trackerLogGroup } from './tracker-log-group';

/** The Node.js runtime of every Lambda: pinned, and the target the bundles are built for. */
export const LAMBDA_RUNTIME = lambda.Runtime.NODEJS_22_X;

/** What every function of one tracker shares: how its logs are kept and whether it is traced. */
export interface TrackerFunctionDefaults {
  readonly logs: LogGroupSettings;
  readonly tracing: boolean;
}

/** Properties of `TrackerFunction`. */
export interface TrackerFunctionProps {
  /** Which bundle under `assets/` runs. */
  readonly bundle: HandlerBundle;
  /** What the function does, for the console. */
  readonly description: string;
  /** Its environment (no key material). */
  readonly environment: Record<string, string>;
  /** Logs and tracing of the tracker. */
  readonly defaults: TrackerFunctionDefaults;
  /** The user's memory, timeout and reserved concurrency, if any. */
  readonly options?: TrackerFunctionOptions;
  /** Time limit when the user sets none. */
  readonly defaultTimeout?: Duration;
  /** Memory in MiB when the user sets none. */
  readonly defaultMemorySize?: number;
  /**
   * Invoked asynchronously by a schedule rather than synchronously by API Gateway (which decides
   * why it has no dead-letter queue).
   * @default false
   */
  readonly scheduled?: boolean;
}

/**
 * A Lambda running one prebuilt handler bundle on arm64, with its own log group (so the retention,
 * removal policy and key are set). It acknowledges the cdk-nag findings that every such function
 * raises by design (managed basic-execution policy, pinned runtime).
 */
export class TrackerFunction extends Construct {
  /** The function. */
  public readonly function: lambda.Function;
  /** Its log group. */
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: TrackerFunctionProps) {
    super(scope, id);
    this.logGroup = trackerLogGroup(this, 'Logs', props.defaults.logs);
    this.function = new lambda.Function(this, 'Function', {
      description: props.description,
      runtime: LAMBDA_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(assetPath(props.bundle)),
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      timeout: props.options?.timeout ?? props.defaultTimeout ?? Duration.seconds(10),
      memorySize: props.options?.memorySize ?? props.defaultMemorySize ?? 256,
      reservedConcurrentExecutions: props.options?.reservedConcurrentExecutions,
      tracing: props.defaults.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
    });
    this.acknowledgeNagFindings(props.defaults.tracing);
    this.acknowledgeComplianceFindings(props.scheduled ?? false);
  }

  /** The Serverless, NIST 800-53 R5, HIPAA Security and PCI DSS 3.2.1 findings every such function raises by design. */
  private acknowledgeComplianceFindings(scheduled: boolean): void {
    const { serverless, nist, hipaa, pci } = COMPLIANCE_PACKS;
    acknowledgeInPacks(
      this.function,
      'LambdaDLQ',
      [serverless, nist, hipaa],
      scheduled
        ? 'A dead-letter queue keeps failed asynchronous events for a later retry; this function is run every minute ' +
            'by a schedule with no retry, and the next run does the same work again, so a kept event would only be ' +
            "a stale duplicate. Failures are logged and counted in the function's Errors metric."
        : 'The function is invoked synchronously by API Gateway: a failure is returned to the caller (5xx) and ' +
            'counted in the Errors metric and the ApiServerErrors alarm. Lambda sends only asynchronous ' +
            'invocations to a dead-letter queue, so one would never receive an event.',
    );
    acknowledgeInPacks(
      this.function,
      'LambdaInsideVPC',
      [nist, hipaa, pci],
      'The function reaches no resource inside a VPC: it calls Momento over its public TLS endpoint and AWS APIs ' +
        '(Secrets Manager, EventBridge) with SigV4. Attaching it to a VPC would add a NAT path to the same public ' +
        'endpoints, not remove one, and it accepts no inbound network traffic (it is invoked through the Lambda API).',
    );
    acknowledgeInPacks(
      this.function,
      'LambdaLatestVersion',
      [serverless],
      'The runtime is pinned to Node.js 22 on purpose: the prebuilt bundle is compiled for node22 and tested on ' +
        'it. Runtime upgrades ship as a release of the construct, not as a silent change on synth.',
    );
    if (this.function.role) acknowledgeInlinePolicies(this.function.role);
  }

  /** The cdk-nag findings every such function raises by design, acknowledged on the objects that raise them. */
  private acknowledgeNagFindings(tracing: boolean): void {
    if (this.function.role && tracing) {
      acknowledgeNagFinding(
        this.function.role,
        nagFindingId('AwsSolutions-IAM5', 'Resource::*'),
        'Active X-Ray tracing adds xray:PutTraceSegments and xray:PutTelemetryRecords, which do not support ' +
          'resource-level permissions (the X-Ray service authorisation reference lists no resource type); every other ' +
          'statement of this policy names its resource.',
      );
    }
    if (this.function.role) {
      acknowledgeNagFinding(
        this.function.role,
        nagFindingId(
          'AwsSolutions-IAM4',
          'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
        ),
        'AWSLambdaBasicExecutionRole grants only logs:CreateLogGroup/CreateLogStream/PutLogEvents; every other ' +
          'permission of this role is a least-privilege grant on a named resource.',
      );
    }
    acknowledgeNagFinding(
      this.function,
      'AwsSolutions-L1',
      'The runtime is pinned to Node.js 22 on purpose: the prebuilt bundle is compiled for node22 and tested on ' +
        'it. Runtime upgrades ship as a release of the construct, not as a silent change on synth.',
    );
  }
}

/**
 * The NIST, HIPAA and PCI `IAMNoInlinePolicy` finding on a role this construct creates: its policy
 * is the one CDK writes from least-privilege grants on this construct's own resources (`grantRead`
 * on one secret, `PutEvents` on one bus). An inline policy lives and dies with its role and cannot
 * be attached to any other principal, which a customer-managed policy could.
 */
export function acknowledgeInlinePolicies(role: import('constructs').IConstruct): void {
  const { nist, hipaa, pci } = COMPLIANCE_PACKS;
  acknowledgeInPacks(
    role,
    'IAMNoInlinePolicy',
    [nist, hipaa, pci],
    "The role's inline policy holds only least-privilege grants CDK generates for this construct's own resources " +
      '(named secrets, the event bus, X-Ray); being inline, it cannot be attached to any other principal, as a ' +
      'customer-managed policy could, and it is deleted with the role.',
  );
}
