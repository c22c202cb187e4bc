import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { assetPath, HandlerBundle } from './asset-paths';
import { acknowledgeNagFinding, nagFindingId } from './nag-finding-ids';

/** The Node.js runtime of every Lambda: pinned, and the target the bundles are built for. */
export const LAMBDA_RUNTIME = lambda.Runtime.NODEJS_22_X;

/** Properties of `TrackerFunction`. */
export interface TrackerFunctionProps {
  /** Which bundle under `assets/` runs. */
  readonly bundle: HandlerBundle;
  /** What the function does, for the console. */
  readonly description: string;
  /** Its environment (no key material). */
  readonly environment: Record<string, string>;
  /** Retention of its log group. */
  readonly logRetention: logs.RetentionDays;
  /**
   * Time limit of one invocation.
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;
  /**
   * Memory in MiB.
   * @default 256
   */
  readonly memorySize?: number;
}

/**
 * A Lambda running one prebuilt handler bundle on arm64, with its own log group (so the retention
 * is set; like every LogGroup by default, the template retains it when the stack is deleted, so
 * the logs outlive the stack and the group is deleted by hand). It acknowledges the cdk-nag findings that every
 * such function raises by design (managed basic-execution policy, pinned runtime).
 */
export class TrackerFunction extends Construct {
  /** The function. */
  public readonly function: lambda.Function;
  /** Its log group. */
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: TrackerFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention });
    this.function = new lambda.Function(this, 'Function', {
      description: props.description,
      runtime: LAMBDA_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(assetPath(props.bundle)),
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      timeout: props.timeout ?? Duration.seconds(10),
      memorySize: props.memorySize ?? 256,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
    });
    this.acknowledgeNagFindings();
  }

  /** The cdk-nag findings every such function raises by design, acknowledged on the objects that raise them. */
  private acknowledgeNagFindings(): void {
    if (this.function.role) {
      acknowledgeNagFinding(
        this.function.role,
        nagFindingId('AwsSolutions-IAM4', 'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'),
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
