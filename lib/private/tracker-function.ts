import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { TrackerFunctionOptions } from '../tracker-function-options';
import { assetPath, HandlerBundle } from './asset-paths';
import { acknowledgeNagFinding, nagFindingId } from './nag-finding-ids';
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
