import { Annotations, Aspects, RemovalPolicy } from 'aws-cdk-lib';
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
import { HeartbeatSubscriberService, SUBSCRIBER_HEALTH_PORT } from './private/heartbeat-subscriber-service';
import { MomentoSecrets } from './private/momento-secrets';
import { acknowledgeNagFindings } from './private/nag-acknowledgements';
import { PropProblems } from './private/prop-validation';
import { runtimeEnvironment } from './private/runtime-environment';
import { SessionKeySecret } from './private/session-key-secret';
import { TrackerApi } from './private/tracker-api';
import { TrackerFunction, TrackerFunctionDefaults } from './private/tracker-function';
import { registerTrackerInternals } from './private/tracker-internals';
import { trackerLogGroup } from './private/tracker-log-group';
import { trackerMetric } from './private/tracker-metric';
import { TrackerMonitoring } from './private/tracker-monitoring';
import { checkProps, findAccountClaimProblems, findSoftProblems } from './private/tracker-prop-checks';
import { resolveSettings, shardGroups, TrackerSettings } from './private/tracker-settings';
import { TrackerMetricOptions } from './tracker-metric';
import { TrackerMetricName } from './tracker-metric-name';
import { TrackerComponent } from './tracker-metric-names';
import { VonageSessionMonitoring } from './vonage-session-monitoring';

/**
 * Limits how many devices or streams an account uses at the same time.
 *
 * Creates a REST API (`POST /tokens`, `GET /accounts/{accountId}/sessions`,
 * `DELETE /accounts/{accountId}/sessions/{sessionId}`), the token-vending and entitlement Lambdas,
 * the heartbeat subscriber on Fargate, the two Momento key secrets, and optionally a dashboard and
 * alarms. Sessions are counted in a Momento cache with exact leases by default.
 *
 * The tracker is `IConnectable`: its connections are the subscriber tasks' security groups (no
 * inbound rules; outbound HTTPS only), e.g. to let them reach a VPC endpoint.
 */
export class ConcurrencyTracker extends Construct implements ec2.IConnectable {
  /** The REST API (stage `v1`). */
  public readonly api: apigw.RestApi;
  /** The API's invoke URL (stage `v1`), ending in `/`. */
  public readonly apiUrl: string;
  /** The access log of the API stage. */
  public readonly accessLogGroup: logs.ILogGroup;
  /** Handles `POST /tokens`: admission and the device's disposable token. */
  public readonly tokenVendingFunction: lambda.IFunction;
  /** Its log group. */
  public readonly tokenVendingLogGroup: logs.ILogGroup;
  /** Handles `GET /accounts/{accountId}/sessions` and `GET`/`DELETE .../sessions/{sessionId}`. */
  public readonly entitlementFunction: lambda.IFunction;
  /** Its log group. */
  public readonly entitlementLogGroup: logs.ILogGroup;
  /** The JWT authoriser, when `TrackerAuthorization.jwt()` is used. */
  public readonly jwtAuthorizerFunction?: lambda.IFunction;
  /** The Fargate service of each subscriber group (one unless `subscriberGroups` is set). */
  public readonly subscriberServices: ecs.FargateService[];
  /** The container log of each subscriber group, in the order of `subscriberServices`. */
  public readonly subscriberLogGroups: logs.ILogGroup[];
  /** The subscriber tasks' security groups: no inbound rules, outbound HTTPS only. */
  public readonly connections: ec2.Connections;
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
  /** Every alarm created (empty unless monitoring is on); each alarm's id names its runbook entry. */
  public readonly alarms: cloudwatch.Alarm[];
  /** Name of the Momento cache the runtime uses. */
  public readonly cacheName: string;
  /** CloudWatch namespace of the runtime's metrics. */
  public readonly metricsNamespace: string;

  private readonly settings: TrackerSettings;
  private readonly trackerApi: TrackerApi;

  constructor(scope: Construct, id: string, props: ConcurrencyTrackerProps = {}) {
    super(scope, id);
    this.settings = this.validate(props);
    this.cacheName = this.settings.cacheName;
    this.metricsNamespace = this.settings.metricsNamespace;
    const defaults = functionDefaults(props);

    const secrets = this.createSecrets(props);
    this.authKeySecret = secrets.authKeySecret;
    this.dataKeySecret = secrets.dataKeySecret;
    this.sessionKeySecret = secrets.sessionKeySecret;
    if (this.settings.lifecycleEvents) {
      this.eventBus = props.eventBus ?? events.EventBus.fromEventBusName(this, 'DefaultEventBus', 'default');
    }

    const tokenVending = this.createTokenVending(props, defaults);
    this.tokenVendingFunction = tokenVending.function;
    this.tokenVendingLogGroup = tokenVending.logGroup;
    const entitlement = this.createEntitlement(props, defaults);
    this.entitlementFunction = entitlement.function;
    this.entitlementLogGroup = entitlement.logGroup;

    this.trackerApi = this.createApi(props, defaults);
    this.api = this.trackerApi.api;
    this.apiUrl = this.api.url;
    this.accessLogGroup = this.trackerApi.accessLogGroup;
    this.jwtAuthorizerFunction = this.trackerApi.jwtAuthorizerFunction;
    registerTrackerInternals(this, {
      settings: this.settings,
      trackerApi: this.trackerApi,
      admissionHook: props.admissionHook,
      functionDefaults: defaults,
    });
    if (props.vonage) this.vonage = new VonageSessionMonitoring(this, 'Vonage', { ...props.vonage, tracker: this });

    this.vpc = props.cluster?.vpc ?? props.vpc ?? this.createVpc(defaults);
    this.cluster =
      props.cluster ??
      new ecs.Cluster(this, 'Cluster', { vpc: this.vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
    const subscribers = this.createSubscribers(props, defaults);
    this.subscriberServices = subscribers.map((s) => s.service);
    this.subscriberLogGroups = subscribers.map((s) => s.logGroup);
    this.connections = new ec2.Connections({ securityGroups: subscribers.map((s) => s.securityGroup) });

    const monitoring = this.createMonitoring(props);
    this.dashboard = monitoring?.dashboard;
    this.alarms = monitoring?.alarms ?? [];

    acknowledgeNagFindings(this, {
      authorization: this.settings.authorization,
      methods: this.trackerApi.methods,
      subscribers,
      createdSecrets: secrets.created,
      sessionKeySecret: this.sessionKeySecret,
      vonage: this.vonage !== undefined,
    });
  }

  /**
   * Lets a backend principal call every route of the IAM-authorised API (`execute-api:Invoke`).
   */
  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return this.trackerApi.grantInvoke(grantee);
  }

  /**
   * Lets a backend principal admit devices: `POST /tokens` only (`execute-api:Invoke` on that route).
   */
  public grantAdmit(grantee: iam.IGrantable): iam.Grant {
    return this.trackerApi.grantAdmit(grantee);
  }

  /**
   * Lets a principal read sessions: both `GET` routes (an account's sessions and one session), not
   * admit or end them.
   */
  public grantCheck(grantee: iam.IGrantable): iam.Grant {
    return this.trackerApi.grantCheck(grantee);
  }

  /**
   * Lets a principal end sessions: `DELETE /accounts/{accountId}/sessions/{sessionId}` only (a
   * support tool or a "sign out everywhere" backend).
   */
  public grantEvict(grantee: iam.IGrantable): iam.Grant {
    return this.trackerApi.grantEvict(grantee);
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
    return this.metric(TrackerMetricName.ADMISSIONS_GRANTED, props);
  }

  /** Admissions refused (limit reached or the admission hook said no). */
  public metricAdmissionsDenied(props?: TrackerMetricOptions): cloudwatch.Metric {
    return this.metric(TrackerMetricName.ADMISSIONS_DENIED, props);
  }

  /** Admissions granted without counting because Momento was unreachable (failure mode open). */
  public metricAdmissionsDegraded(props?: TrackerMetricOptions): cloudwatch.Metric {
    return this.metric(TrackerMetricName.ADMISSIONS_DEGRADED, props);
  }

  /** Sessions evicted to admit a newer device (at-limit behaviour evict-oldest). */
  public metricEvictions(props?: TrackerMetricOptions): cloudwatch.Metric {
    return this.metric(TrackerMetricName.EVICTIONS, props);
  }

  /** Disposable tokens minted. */
  public metricTokensMinted(props?: TrackerMetricOptions): cloudwatch.Metric {
    return this.metric(TrackerMetricName.TOKENS_MINTED, props);
  }

  /** Cached disposable tokens handed out again instead of minting. */
  public metricTokensReused(props?: TrackerMetricOptions): cloudwatch.Metric {
    return this.metric(TrackerMetricName.TOKENS_REUSED, props);
  }

  /** Entitlement checks answered. */
  public metricEntitlementChecks(props?: TrackerMetricOptions): cloudwatch.Metric {
    return this.metric(TrackerMetricName.ENTITLEMENT_CHECKS, props);
  }

  /** Sessions ended through `DELETE`. */
  public metricSessionsEnded(props?: TrackerMetricOptions): cloudwatch.Metric {
    return this.metric(TrackerMetricName.SESSIONS_ENDED, props);
  }

  /** Heartbeats recorded by the subscriber. */
  public metricHeartbeatsProcessed(props?: TrackerMetricOptions): cloudwatch.Metric {
    return this.metric(TrackerMetricName.HEARTBEATS_PROCESSED, props);
  }

  /** Heartbeat messages refused as malformed or unauthorised. */
  public metricHeartbeatsRejected(props?: TrackerMetricOptions): cloudwatch.Metric {
    return this.metric(TrackerMetricName.HEARTBEATS_REJECTED, props);
  }

  /**
   * Device messages the subscriber dropped because one account exceeded its per-account bounds
   * (its share of the queue, or its budget for sessions that are over). The subscriber's log line
   * "device messages throttled for one account" names the account.
   */
  public metricHeartbeatsThrottled(props?: TrackerMetricOptions): cloudwatch.Metric {
    return this.metric(TrackerMetricName.HEARTBEATS_THROTTLED, props);
  }

  /** Sessions that expired (heartbeats stopped or maximum duration reached). */
  public metricSessionsExpired(props?: TrackerMetricOptions): cloudwatch.Metric {
    return this.metric(TrackerMetricName.SESSIONS_EXPIRED, props);
  }

  /** Sessions stopped by a device's stop message. */
  public metricSessionsStopped(props?: TrackerMetricOptions): cloudwatch.Metric {
    return this.metric(TrackerMetricName.SESSIONS_STOPPED, props);
  }

  /** Subscriber reconnections to the heartbeat topic. */
  public metricSubscriberReconnects(props?: TrackerMetricOptions): cloudwatch.Metric {
    return this.metric(TrackerMetricName.SUBSCRIBER_RECONNECTS, props);
  }

  /**
   * Times a subscriber task reported that it waits for its Momento data key (missing, empty or
   * refused) or for the cache (not created yet); the task stays up and recovers by itself.
   */
  public metricSubscriberWaiting(props?: TrackerMetricOptions): cloudwatch.Metric {
    return this.metric(TrackerMetricName.SUBSCRIBER_WAITING, props);
  }

  /** Failed Momento calls of one component (token vending unless `component` says otherwise). */
  public metricMomentoErrors(props?: TrackerMetricOptions): cloudwatch.Metric {
    return this.metric(TrackerMetricName.MOMENTO_ERRORS, props);
  }

  /** Resolves the defaults, throws one error listing every hard problem, and warns about the soft ones. */
  private validate(props: ConcurrencyTrackerProps): TrackerSettings {
    const settings = resolveSettings(props);
    const problems = new PropProblems();
    checkProps(props, settings, problems);
    problems.throwIfAny(this, 'ConcurrencyTracker');
    for (const problem of findSoftProblems(props, settings)) {
      Annotations.of(this).addWarningV2(problem.id, problem.message);
    }
    // App clients are often added after the tracker: the account claim is checked at synthesis.
    Aspects.of(this).add({
      visit: (node) => {
        if (node !== this) return;
        for (const problem of findAccountClaimProblems(settings))
          Annotations.of(this).addWarningV2(problem.id, problem.message);
      },
    });
    return settings;
  }

  /** The two Momento key secrets (passed in or created empty) and the generated session-key secret. */
  private createSecrets(props: ConcurrencyTrackerProps) {
    const removalPolicy = props.secretRemovalPolicy ?? RemovalPolicy.DESTROY;
    const momento = new MomentoSecrets(this, 'Secrets', {
      authKeySecret: props.authKeySecret,
      dataKeySecret: props.dataKeySecret,
      removalPolicy,
      encryptionKey: props.encryptionKey,
    });
    const created = [
      ...(momento.createdAuthKeySecret ? [momento.authKeySecret] : []),
      ...(momento.createdDataKeySecret ? [momento.dataKeySecret] : []),
    ];
    if (created.length > 0) {
      Annotations.of(this).addInfo(
        'The Momento key secrets were created empty: the stack deploys, the subscriber waits (SubscriberWaiting) ' +
          'and the API answers 500 misconfigured until they hold keys ' +
          '(aws secretsmanager put-secret-value --secret-id <arn> --secret-string <key>); no redeploy is needed.',
      );
    }
    const sessionKeySecret = new SessionKeySecret(this, 'SessionKey', {
      removalPolicy,
      encryptionKey: props.encryptionKey,
    }).secret;
    return { authKeySecret: momento.authKeySecret, dataKeySecret: momento.dataKeySecret, sessionKeySecret, created };
  }

  /** The token-vending Lambda, with read access to the three secrets, the hook and the bus. */
  private createTokenVending(props: ConcurrencyTrackerProps, defaults: TrackerFunctionDefaults): TrackerFunction {
    const tokenVending = new TrackerFunction(this, 'TokenVending', {
      bundle: 'token-vending',
      description: 'Admits a device (lease) and returns its publish-only Momento token.',
      environment: runtimeEnvironment(TrackerComponent.TOKEN_VENDING, this.settings, {
        eventBusName: this.eventBus?.eventBusName,
        authKeySecretArn: this.authKeySecret.secretArn,
        dataKeySecretArn: this.dataKeySecret.secretArn,
        admissionHookArn: props.admissionHook?.functionArn,
        sessionKeySecretArn: this.sessionKeySecret.secretArn,
      }),
      defaults,
      options: props.tokenVendingFunction,
    });
    const fn = tokenVending.function;
    // Each function reads only the secrets it needs.
    this.authKeySecret.grantRead(fn);
    this.dataKeySecret.grantRead(fn);
    this.sessionKeySecret.grantRead(fn);
    if (props.admissionHook) {
      // An identity policy rather than hook.grantInvoke(): that edits the hook's resource policy,
      // which fails for a function imported by ARN.
      iam.Grant.addToPrincipal({
        grantee: fn,
        actions: ['lambda:InvokeFunction'],
        resourceArns: [props.admissionHook.functionArn],
      });
    }
    this.eventBus?.grantPutEventsTo(fn);
    return tokenVending;
  }

  /** The entitlement Lambda, with read access to the data key and the bus. */
  private createEntitlement(props: ConcurrencyTrackerProps, defaults: TrackerFunctionDefaults): TrackerFunction {
    const entitlement = new TrackerFunction(this, 'Entitlement', {
      bundle: 'entitlement',
      description: "Counts an account's active sessions and ends a session on request.",
      environment: runtimeEnvironment(TrackerComponent.ENTITLEMENT, this.settings, {
        eventBusName: this.eventBus?.eventBusName,
        dataKeySecretArn: this.dataKeySecret.secretArn,
      }),
      defaults,
      options: props.entitlementFunction,
    });
    this.dataKeySecret.grantRead(entitlement.function);
    this.eventBus?.grantPutEventsTo(entitlement.function);
    return entitlement;
  }

  private createApi(props: ConcurrencyTrackerProps, defaults: TrackerFunctionDefaults): TrackerApi {
    return new TrackerApi(this, 'Api', {
      tokenVendingFunction: this.tokenVendingFunction,
      entitlementFunction: this.entitlementFunction,
      authorization: this.settings.authorization,
      throttle: this.settings.apiThrottle,
      cloudWatchRole: props.apiCloudWatchRole ?? false,
      defaults,
      jwtAuthorizerFunction: props.jwtAuthorizerFunction,
      webAclArn: props.webAclArn,
      domainName: props.domainName,
    });
  }

  /** One Fargate service per subscriber group; group 0 keeps its id whatever the number of groups. */
  private createSubscribers(
    props: ConcurrencyTrackerProps,
    defaults: TrackerFunctionDefaults,
  ): HeartbeatSubscriberService[] {
    const subnets = props.subscriberSubnets ?? defaultSubscriberSubnets(this.vpc);
    const assignPublicIp = this.vpc.selectSubnets(subnets).hasPublic;
    return shardGroups(this.settings.topicShards, this.settings.subscriberGroups).map(
      (shards, group) =>
        new HeartbeatSubscriberService(this, group === 0 ? 'Subscriber' : `Subscriber${group}`, {
          cluster: this.cluster,
          subnets,
          assignPublicIp,
          environment: runtimeEnvironment(TrackerComponent.HEARTBEAT_SUBSCRIBER, this.settings, {
            eventBusName: this.eventBus?.eventBusName,
            subscriberShards: shards,
            healthPort: SUBSCRIBER_HEALTH_PORT,
            dataKeySecretArn: this.dataKeySecret.secretArn,
            sessionKeySecretArn: this.sessionKeySecret.secretArn,
          }),
          dataKeySecret: this.dataKeySecret,
          sessionKeySecret: this.sessionKeySecret,
          cpu: this.settings.subscriberCpu,
          memoryMiB: this.settings.subscriberMemoryMiB,
          desiredCount: this.settings.subscriberDesiredCount,
          logs: defaults.logs,
          eventBus: this.eventBus,
          image: props.subscriberImage,
        }),
    );
  }

  private createMonitoring(props: ConcurrencyTrackerProps): TrackerMonitoring | undefined {
    if (!props.monitoring) return undefined;
    return new TrackerMonitoring(this, 'Monitoring', {
      options: props.monitoring,
      metric: (name, options) => this.metric(name, options),
      api: this.api,
      functions: [this.tokenVendingFunction, this.entitlementFunction],
      subscriberServices: this.subscriberServices,
      logQueryFolder: this.settings.metricsNamespace,
      tokenVendingLogGroup: this.tokenVendingLogGroup,
      entitlementLogGroup: this.entitlementLogGroup,
      subscriberLogGroups: this.subscriberLogGroups,
      vonageLogGroups: this.vonage?.logGroups,
    });
  }

  private createVpc(defaults: TrackerFunctionDefaults): ec2.Vpc {
    // Public subnets and no NAT gateway: the subscriber only dials out to Momento and AWS APIs,
    // and a NAT gateway would cost more than the tasks. Tasks accept no inbound traffic.
    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 }],
    });
    vpc.addFlowLog('RejectedTraffic', {
      trafficType: ec2.FlowLogTrafficType.REJECT,
      destination: ec2.FlowLogDestination.toCloudWatchLogs(trackerLogGroup(this, 'VpcFlowLogs', defaults.logs)),
    });
    return vpc;
  }
}

/** Logs and tracing shared by every function and log group of one tracker. */
function functionDefaults(props: ConcurrencyTrackerProps): TrackerFunctionDefaults {
  return {
    logs: {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
      encryptionKey: props.encryptionKey,
    },
    tracing: props.tracing ?? true,
  };
}

/** Private subnets with egress when the VPC has them, otherwise its public subnets. */
function defaultSubscriberSubnets(vpc: ec2.IVpc): ec2.SubnetSelection {
  return vpc.privateSubnets.length > 0
    ? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }
    : { subnetType: ec2.SubnetType.PUBLIC };
}
