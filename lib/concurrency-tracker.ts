import { Annotations, Aspects } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ConcurrencyTrackerProps } from './concurrency-tracker-props';
import { HeartbeatSubscriberService, SUBSCRIBER_HEALTH_PORT } from './heartbeat-subscriber-service';
import { MomentoSecrets } from './momento-secrets';
import { acknowledgeNagFindings } from './nag-acknowledgements';
import { runtimeEnvironment } from './runtime-environment';
import { SessionKeySecret } from './session-key-secret';
import { TrackerApi } from './tracker-api';
import { TrackerFunction } from './tracker-function';
import { trackerMetric, TrackerMetricOptions } from './tracker-metric';
import { TrackerComponent, TrackerMetricName } from './tracker-metric-names';
import { TrackerMonitoring } from './tracker-monitoring';
import { checkProps, findAccountClaimProblems, findSoftProblems } from './tracker-prop-checks';
import { resolveSettings, shardGroups, TrackerSettings } from './tracker-settings';
import { VonageSessionMonitoring } from './vonage-session-monitoring';

/**
 * Limits how many devices or streams an account uses at the same time.
 *
 * Creates a REST API (`POST /tokens`, `GET /accounts/{accountId}/sessions`,
 * `DELETE /accounts/{accountId}/sessions/{sessionId}`), the token-vending and entitlement Lambdas,
 * the heartbeat subscriber on Fargate, the two Momento key secrets, and optionally a dashboard and
 * alarms. Sessions are counted in a Momento cache with exact leases by default.
 */
export class ConcurrencyTracker extends Construct {
  /** The API construct (methods, authoriser, `grantInvoke`). */
  public readonly trackerApi: TrackerApi;
  /** The REST API. */
  public readonly api: apigw.RestApi;
  /** The API's invoke URL (stage `v1`), ending in `/`. */
  public readonly apiUrl: string;
  /** The access log of the API stage. */
  public readonly accessLogGroup: logs.LogGroup;
  /** Handles `POST /tokens`: admission and the device's disposable token. */
  public readonly tokenVendingFunction: lambda.Function;
  /** Its log group. */
  public readonly tokenVendingLogGroup: logs.LogGroup;
  /** Handles `GET /accounts/{accountId}/sessions` and `GET`/`DELETE .../sessions/{sessionId}`. */
  public readonly entitlementFunction: lambda.Function;
  /** Its log group. */
  public readonly entitlementLogGroup: logs.LogGroup;
  /** The JWT authoriser, when `TrackerAuthorization.jwt()` is used. */
  public readonly jwtAuthorizerFunction?: lambda.Function;
  /** The subscriber groups (one Fargate service each; one group unless `subscriberGroups` is set). */
  public readonly subscribers: HeartbeatSubscriberService[];
  /** The Fargate service of each subscriber group. */
  public readonly subscriberServices: ecs.FargateService[];
  /** The container log of each subscriber group. */
  public readonly subscriberLogGroups: logs.LogGroup[];
  /** The Vonage session monitoring, when the `vonage` prop is set. */
  public readonly vonage?: VonageSessionMonitoring;
  /** The cluster the subscribers run in (passed in or created). */
  public readonly cluster: ecs.ICluster;
  /** The VPC of the subscribers (passed in, the cluster's, or created). */
  public readonly vpc: ec2.IVpc;
  /** Secret with the Momento key that mints disposable tokens. */
  public readonly authKeySecret: secretsmanager.ISecret;
  /** Secret with the Momento key for the cache and topics. */
  public readonly dataKeySecret: secretsmanager.ISecret;
  /** Generated server secret of the per-session keys (token vending signs grants, the subscriber checks heartbeats). */
  public readonly sessionKeySecret: secretsmanager.ISecret;
  /** The bus lifecycle events go to; undefined when `lifecycleEvents` is false. */
  public readonly eventBus?: events.IEventBus;
  /** The dashboard, when monitoring is on. */
  public readonly dashboard?: cloudwatch.Dashboard;
  /** Every alarm created (empty unless monitoring is on). */
  public readonly alarms: cloudwatch.Alarm[];
  /** The monitoring construct, when monitoring is on. */
  public readonly monitoring?: TrackerMonitoring;
  /** Name of the Momento cache the runtime uses. */
  public readonly cacheName: string;
  /** CloudWatch namespace of the runtime's metrics. */
  public readonly metricsNamespace: string;
  /** The settings in effect (props with defaults applied). */
  public readonly settings: TrackerSettings;

  constructor(scope: Construct, id: string, props: ConcurrencyTrackerProps = {}) {
    super(scope, id);

    const settings = resolveSettings(props);
    checkProps(props, settings);
    for (const problem of findSoftProblems(props, settings)) {
      Annotations.of(this).addWarningV2(problem.id, problem.message);
    }
    // App clients are often added after the tracker: the account claim is checked at synthesis.
    Aspects.of(this).add({
      visit: (node) => {
        if (node !== this) return;
        for (const problem of findAccountClaimProblems(settings)) Annotations.of(this).addWarningV2(problem.id, problem.message);
      },
    });
    this.settings = settings;
    this.cacheName = settings.cacheName;
    this.metricsNamespace = settings.metricsNamespace;
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;

    const secrets = new MomentoSecrets(this, 'Secrets', {
      authKeySecret: props.authKeySecret,
      dataKeySecret: props.dataKeySecret,
    });
    this.authKeySecret = secrets.authKeySecret;
    this.dataKeySecret = secrets.dataKeySecret;
    if (secrets.createdAuthKeySecret || secrets.createdDataKeySecret) {
      Annotations.of(this).addInfo(
        'The Momento key secrets were created empty: the stack deploys, the subscriber waits (SubscriberWaiting) ' +
          'and the API answers 500 misconfigured until they hold keys ' +
          '(aws secretsmanager put-secret-value --secret-id <arn> --secret-string <key>); no redeploy is needed.',
      );
    }

    this.sessionKeySecret = new SessionKeySecret(this, 'SessionKey').secret;

    if (settings.lifecycleEvents) {
      this.eventBus = props.eventBus ?? events.EventBus.fromEventBusName(this, 'DefaultEventBus', 'default');
    }

    const tokenVending = new TrackerFunction(this, 'TokenVending', {
      bundle: 'token-vending',
      description: 'Admits a device (lease) and returns its publish-only Momento token.',
      environment: runtimeEnvironment(TrackerComponent.TOKEN_VENDING, settings, {
        eventBusName: this.eventBus?.eventBusName,
        authKeySecretArn: this.authKeySecret.secretArn,
        dataKeySecretArn: this.dataKeySecret.secretArn,
        admissionHookArn: props.admissionHook?.functionArn,
        sessionKeySecretArn: this.sessionKeySecret.secretArn,
      }),
      logRetention,
    });
    this.tokenVendingFunction = tokenVending.function;
    this.tokenVendingLogGroup = tokenVending.logGroup;

    const entitlement = new TrackerFunction(this, 'Entitlement', {
      bundle: 'entitlement',
      description: "Counts an account's active sessions and ends a session on request.",
      environment: runtimeEnvironment(TrackerComponent.ENTITLEMENT, settings, {
        eventBusName: this.eventBus?.eventBusName,
        dataKeySecretArn: this.dataKeySecret.secretArn,
      }),
      logRetention,
    });
    this.entitlementFunction = entitlement.function;
    this.entitlementLogGroup = entitlement.logGroup;

    // Each function reads only the secrets it needs.
    this.authKeySecret.grantRead(this.tokenVendingFunction);
    this.dataKeySecret.grantRead(this.tokenVendingFunction);
    this.dataKeySecret.grantRead(this.entitlementFunction);
    this.sessionKeySecret.grantRead(this.tokenVendingFunction);
    if (props.admissionHook) {
      // An identity policy rather than hook.grantInvoke(): that edits the hook's resource policy,
      // which fails for a function imported by ARN.
      iam.Grant.addToPrincipal({
        grantee: this.tokenVendingFunction,
        actions: ['lambda:InvokeFunction'],
        resourceArns: [props.admissionHook.functionArn],
      });
    }
    if (this.eventBus) {
      this.eventBus.grantPutEventsTo(this.tokenVendingFunction);
      this.eventBus.grantPutEventsTo(this.entitlementFunction);
    }

    const api = new TrackerApi(this, 'Api', {
      tokenVendingFunction: this.tokenVendingFunction,
      entitlementFunction: this.entitlementFunction,
      authorization: settings.authorization,
      throttle: settings.apiThrottle,
      cloudWatchRole: props.apiCloudWatchRole ?? true,
      logRetention,
    });
    this.trackerApi = api;
    this.api = api.api;
    this.apiUrl = api.api.url;
    this.accessLogGroup = api.accessLogGroup;
    this.jwtAuthorizerFunction = api.jwtAuthorizerFunction;

    if (props.vonage) {
      // Same request-path environment as the entitlement Lambda, plus the hook; the Vonage
      // functions add their own variables and service names.
      const environment = runtimeEnvironment(TrackerComponent.ENTITLEMENT, settings, {
        eventBusName: this.eventBus?.eventBusName,
        dataKeySecretArn: this.dataKeySecret.secretArn,
      });
      if (props.admissionHook) environment.ADMISSION_HOOK_ARN = props.admissionHook.functionArn;
      this.vonage = new VonageSessionMonitoring(this, 'Vonage', {
        ...props.vonage,
        resource: this.api.root,
        dataKeySecret: this.dataKeySecret,
        environment,
        logRetention,
        eventBus: this.eventBus,
        admissionHook: props.admissionHook,
      });
    }

    this.vpc = props.cluster?.vpc ?? props.vpc ?? this.createVpc(logRetention);
    this.cluster =
      props.cluster ??
      new ecs.Cluster(this, 'Cluster', {
        vpc: this.vpc,
        containerInsightsV2: ecs.ContainerInsights.ENABLED,
      });
    const subnets = props.subscriberSubnets ?? defaultSubscriberSubnets(this.vpc);
    const assignPublicIp = this.vpc.selectSubnets(subnets).hasPublic;

    this.subscribers = shardGroups(settings.topicShards, settings.subscriberGroups).map(
      (shards, group) =>
        // Group 0 keeps the same id whatever the number of groups, so adding groups never
        // replaces the running service.
        new HeartbeatSubscriberService(this, group === 0 ? 'Subscriber' : `Subscriber${group}`, {
          cluster: this.cluster,
          subnets,
          assignPublicIp,
          environment: runtimeEnvironment(TrackerComponent.HEARTBEAT_SUBSCRIBER, settings, {
            eventBusName: this.eventBus?.eventBusName,
            subscriberShards: shards,
            healthPort: SUBSCRIBER_HEALTH_PORT,
            dataKeySecretArn: this.dataKeySecret.secretArn,
            sessionKeySecretArn: this.sessionKeySecret.secretArn,
          }),
          dataKeySecret: this.dataKeySecret,
          sessionKeySecret: this.sessionKeySecret,
          cpu: settings.subscriberCpu,
          memoryMiB: settings.subscriberMemoryMiB,
          desiredCount: settings.subscriberDesiredCount,
          logRetention,
          eventBus: this.eventBus,
          image: props.subscriberImage,
        }),
    );
    this.subscriberServices = this.subscribers.map((s) => s.service);
    this.subscriberLogGroups = this.subscribers.map((s) => s.logGroup);

    if (props.monitoring) {
      this.monitoring = new TrackerMonitoring(this, 'Monitoring', {
        options: props.monitoring,
        metric: (name, options) => this.metric(name, options),
        api: this.api,
        tokenVendingFunction: this.tokenVendingFunction,
        entitlementFunction: this.entitlementFunction,
        subscriberServices: this.subscriberServices,
        logQueryFolder: settings.metricsNamespace,
        tokenVendingLogGroup: this.tokenVendingLogGroup,
        entitlementLogGroup: this.entitlementLogGroup,
        subscriberLogGroups: this.subscriberLogGroups,
        vonageLogGroups: this.vonage?.logGroups,
      });
    }
    this.dashboard = this.monitoring?.dashboard;
    this.alarms = this.monitoring?.alarms ?? [];

    acknowledgeNagFindings(this);
  }

  /**
   * Lets a backend principal call every route of the IAM-authorised API (`execute-api:Invoke`).
   */
  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return this.trackerApi.grantInvoke(grantee);
  }

  /**
   * Lets a principal call only the session check, `GET /accounts/{accountId}/sessions/{sessionId}`
   * (`execute-api:Invoke` on that route): for a DRM licence server or CDN origin that asks, before
   * each renewal, whether the session is still counted. It cannot admit, list or end sessions.
   */
  public grantCheckSession(grantee: iam.IGrantable): iam.Grant {
    return this.trackerApi.grantCheckSession(grantee);
  }

  /**
   * Lets a backend principal call `POST /vonage/tokens` (`execute-api:Invoke` on that route only),
   * for a backend that vends Vonage room tokens on its users' behalf under IAM authorisation.
   * Throws without the `vonage` prop.
   */
  public grantVonageTokens(grantee: iam.IGrantable): iam.Grant {
    if (!this.vonage) {
      throw new Error('grantVonageTokens needs the vonage prop: without it there is no POST /vonage/tokens route.');
    }
    return this.vonage.grantTokens(grantee);
  }

  /** Any runtime metric of the contract (sum over 5 minutes by default). */
  public metric(metricName: TrackerMetricName, props?: TrackerMetricOptions): cloudwatch.Metric {
    return trackerMetric(this.metricsNamespace, metricName, props);
  }

  /** Devices admitted. */
  public metricAdmissionsGranted(props?: TrackerMetricOptions): cloudwatch.Metric {
    return this.metric('AdmissionsGranted', props);
  }

  /** Admissions refused (limit reached or the admission hook said no). */
  public metricAdmissionsDenied(props?: TrackerMetricOptions): cloudwatch.Metric {
    return this.metric('AdmissionsDenied', props);
  }

  /** Admissions granted without counting because Momento was unreachable (failure mode open). */
  public metricAdmissionsDegraded(props?: TrackerMetricOptions): cloudwatch.Metric {
    return this.metric('AdmissionsDegraded', props);
  }

  /** Sessions evicted to admit a newer device (at-limit behaviour evict-oldest). */
  public metricEvictions(props?: TrackerMetricOptions): cloudwatch.Metric {
    return this.metric('Evictions', props);
  }

  /** Disposable tokens minted. */
  public metricTokensMinted(props?: TrackerMetricOptions): cloudwatch.Metric {
    return this.metric('TokensMinted', props);
  }

  /** Cached disposable tokens handed out again instead of minting. */
  public metricTokensReused(props?: TrackerMetricOptions): cloudwatch.Metric {
    return this.metric('TokensReused', props);
  }

  /** Entitlement checks answered. */
  public metricEntitlementChecks(props?: TrackerMetricOptions): cloudwatch.Metric {
    return this.metric('EntitlementChecks', props);
  }

  /** Sessions ended through `DELETE`. */
  public metricSessionsEnded(props?: TrackerMetricOptions): cloudwatch.Metric {
    return this.metric('SessionsEnded', props);
  }

  /** Heartbeats recorded by the subscriber. */
  public metricHeartbeatsProcessed(props?: TrackerMetricOptions): cloudwatch.Metric {
    return this.metric('HeartbeatsProcessed', props);
  }

  /** Heartbeat messages refused as malformed or unauthorised. */
  public metricHeartbeatsRejected(props?: TrackerMetricOptions): cloudwatch.Metric {
    return this.metric('HeartbeatsRejected', props);
  }

  /**
   * Device messages the subscriber dropped because one account exceeded its per-account bounds
   * (its share of the queue, or its budget for sessions that are over). The subscriber's log line
   * "device messages throttled for one account" names the account.
   */
  public metricHeartbeatsThrottled(props?: TrackerMetricOptions): cloudwatch.Metric {
    return this.metric('HeartbeatsThrottled', props);
  }

  /** Sessions that expired (heartbeats stopped or maximum duration reached). */
  public metricSessionsExpired(props?: TrackerMetricOptions): cloudwatch.Metric {
    return this.metric('SessionsExpired', props);
  }

  /** Sessions stopped by a device's stop message. */
  public metricSessionsStopped(props?: TrackerMetricOptions): cloudwatch.Metric {
    return this.metric('SessionsStopped', props);
  }

  /** Subscriber reconnections to the heartbeat topic. */
  public metricSubscriberReconnects(props?: TrackerMetricOptions): cloudwatch.Metric {
    return this.metric('SubscriberReconnects', props);
  }

  /**
   * Times a subscriber task reported that it waits for its Momento data key (missing, empty or
   * refused) or for the cache (not created yet); the task stays up and recovers by itself.
   */
  public metricSubscriberWaiting(props?: TrackerMetricOptions): cloudwatch.Metric {
    return this.metric('SubscriberWaiting', props);
  }

  /** Failed Momento calls of one component (token vending unless `component` says otherwise). */
  public metricMomentoErrors(props?: TrackerMetricOptions): cloudwatch.Metric {
    return this.metric('MomentoErrors', props);
  }

  private createVpc(logRetention: logs.RetentionDays): ec2.Vpc {
    // Public subnets and no NAT gateway: the subscriber only dials out to Momento and AWS APIs,
    // and a NAT gateway would cost more than the tasks. Tasks accept no inbound traffic.
    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 }],
    });
    const flowLogGroup = new logs.LogGroup(this, 'VpcFlowLogs', { retention: logRetention });
    vpc.addFlowLog('RejectedTraffic', {
      trafficType: ec2.FlowLogTrafficType.REJECT,
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup),
    });
    return vpc;
  }
}

/** Private subnets with egress when the VPC has them, otherwise its public subnets. */
function defaultSubscriberSubnets(vpc: ec2.IVpc): ec2.SubnetSelection {
  return vpc.privateSubnets.length > 0
    ? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }
    : { subnetType: ec2.SubnetType.PUBLIC };
}
