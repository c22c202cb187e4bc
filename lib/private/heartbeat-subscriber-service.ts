import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ENVIRONMENT_DEFAULTS } from '../../contract/environment';
import { assetPath } from './asset-paths';
import { LogGroupSettings, trackerLogGroup } from './tracker-log-group';

/** Port of the subscriber's health endpoint inside the task. */
export const SUBSCRIBER_HEALTH_PORT = ENVIRONMENT_DEFAULTS.HEALTH_PORT;

/** Properties of `HeartbeatSubscriberService`. */
export interface HeartbeatSubscriberServiceProps {
  /** The cluster the service runs in. */
  readonly cluster: ecs.ICluster;
  /** Subnets of the tasks. */
  readonly subnets: ec2.SubnetSelection;
  /** Whether tasks get a public IP (public subnets without NAT). */
  readonly assignPublicIp: boolean;
  /** The runtime environment (no key material; the secrets' ARNs). */
  readonly environment: Record<string, string>;
  /**
   * Secret holding the Momento data key: the task role may read it, and the subscriber reads it by
   * ARN (`DATA_KEY_SECRET_ARN`) at run time, so a task starts, and waits, while it is empty.
   */
  readonly dataKeySecret: secretsmanager.ISecret;
  /** Secret of the per-session keys, read by ARN (`SESSION_KEY_SECRET_ARN`) like the data key. */
  readonly sessionKeySecret: secretsmanager.ISecret;
  /** CPU units of a task. */
  readonly cpu: number;
  /** Memory of a task in MiB. */
  readonly memoryMiB: number;
  /** Number of tasks. */
  readonly desiredCount: number;
  /** How the container log is kept. */
  readonly logs: LogGroupSettings;
  /** Bus for lifecycle events, when events are on. */
  readonly eventBus?: events.IEventBus;
  /**
   * A prebuilt linux/arm64 image of the subscriber.
   * @default - built at deploy from the shipped Dockerfile for linux/arm64
   */
  readonly image?: ecs.ContainerImage;
}

/**
 * One Fargate service of heartbeat subscribers. Its tasks subscribe to the same shards side by
 * side (processing is idempotent), and a deploy starts new tasks before stopping old ones, so
 * neither a deploy nor one crashed task leaves heartbeats unrecorded.
 */
export class HeartbeatSubscriberService extends Construct {
  /** The Fargate service. */
  public readonly service: ecs.FargateService;
  /** The task definition. */
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  /** The subscriber container. */
  public readonly container: ecs.ContainerDefinition;
  /** The container log. */
  public readonly logGroup: logs.LogGroup;
  /** The tasks' security group: no inbound rules, outbound HTTPS only. */
  public readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: HeartbeatSubscriberServiceProps) {
    super(scope, id);

    this.logGroup = trackerLogGroup(this, 'Logs', props.logs);

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: props.cpu,
      memoryLimitMiB: props.memoryMiB,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.ARM64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });

    this.container = this.taskDefinition.addContainer('Subscriber', {
      // By default built from the Dockerfile and bundle in assets/heartbeat-subscriber at deploy
      // time; synthesis only hashes the folder, so no Docker engine is needed to synth or test.
      image:
        props.image ??
        ecs.ContainerImage.fromAsset(assetPath('heartbeat-subscriber'), {
          platform: Platform.LINUX_ARM64,
        }),
      // No ECS secrets: ECS cannot start a task whose secret has no value, and would need a new
      // deployment to hand it a rotated key. The subscriber reads both secrets itself, again every 30 s.
      environment: props.environment,
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'subscriber', logGroup: this.logGroup }),
      readonlyRootFilesystem: true,
      // The shipped image is node:22-alpine (busybox wget, no curl) and a prebuilt one may have
      // neither; Node's own fetch asks the health endpoint.
      healthCheck: {
        command: [
          'CMD',
          'node',
          '-e',
          `fetch('http://127.0.0.1:${SUBSCRIBER_HEALTH_PORT}/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`,
        ],
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(30),
      },
      stopTimeout: Duration.seconds(30),
    });

    props.dataKeySecret.grantRead(this.taskDefinition.taskRole);
    props.sessionKeySecret.grantRead(this.taskDefinition.taskRole);
    props.eventBus?.grantPutEventsTo(this.taskDefinition.taskRole);

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.cluster.vpc,
      description: 'Heartbeat subscriber: no inbound, outbound HTTPS to Momento and AWS APIs',
      allowAllOutbound: false,
    });
    this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'Momento and AWS APIs over TLS');

    this.service = new ecs.FargateService(this, 'Service', {
      cluster: props.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: props.desiredCount,
      vpcSubnets: props.subnets,
      assignPublicIp: props.assignPublicIp,
      securityGroups: [this.securityGroup],
      // A deploy starts the new tasks before it stops an old one, and a failing deploy rolls back,
      // so there is always a subscriber recording heartbeats.
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      platformVersion: ecs.FargatePlatformVersion.LATEST,
    });
  }
}
