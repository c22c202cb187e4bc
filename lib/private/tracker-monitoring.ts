import { Duration } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { TrackerMonitoringOptions } from '../concurrency-tracker-props';
import { TrackerLogQueries, TrackerLogQuery } from './tracker-log-queries';
import { TrackerMetricOptions } from '../tracker-metric';
import { TrackerComponent } from '../tracker-metric-names';
import { TrackerMetricName } from '../tracker-metric-name';

/** Properties of `TrackerMonitoring`. */
export interface TrackerMonitoringProps {
  /** Dashboard and alarm options. */
  readonly options: TrackerMonitoringOptions;
  /** Reads one runtime metric (the tracker's `metric()`). */
  readonly metric: (name: TrackerMetricName, options?: TrackerMetricOptions) => cloudwatch.Metric;
  /** The API. */
  readonly api: apigw.RestApi;
  /** The request-path Lambdas: token vending first, then entitlement. */
  readonly functions: lambda.IFunction[];
  /** The subscriber services. */
  readonly subscriberServices: ecs.FargateService[];
  /** Folder of the saved Logs Insights queries (the tracker's metrics namespace). */
  readonly logQueryFolder: string;
  /** The token-vending Lambda's log group. */
  readonly tokenVendingLogGroup: logs.ILogGroup;
  /** The entitlement Lambda's log group. */
  readonly entitlementLogGroup: logs.ILogGroup;
  /** The subscriber groups' log groups. */
  readonly subscriberLogGroups: logs.ILogGroup[];
  /**
   * The Vonage functions' log groups.
   * @default - none
   */
  readonly vonageLogGroups?: logs.ILogGroup[];
}

/** Where each alarm's runbook entry is: its description ends with this sentence. */
function runbookPointer(alarmId: string): string {
  return ` Runbook: docs/operations.md, "${alarmId}".`;
}

const FIVE_MINUTES = Duration.minutes(5);

/** The opt-in dashboard and alarms of a tracker. */
export class TrackerMonitoring extends Construct {
  /** The dashboard, unless `dashboard: false`. */
  public readonly dashboard?: cloudwatch.Dashboard;
  /** Every alarm created (empty with `alarms: false`). */
  public readonly alarms: cloudwatch.Alarm[] = [];
  /** One per subscriber service: no task of the service is running. */
  public readonly subscriberDownAlarms: cloudwatch.Alarm[] = [];
  /** Devices are admitted but no heartbeat is processed. */
  public readonly heartbeatsStoppedAlarm?: cloudwatch.Alarm;
  /** Denied admissions above the threshold. */
  public readonly admissionDenialAlarm?: cloudwatch.Alarm;
  /** Lambda errors plus Momento errors above the threshold. */
  public readonly errorsAlarm?: cloudwatch.Alarm;
  /** Answers given degraded (FAILURE_MODE `open` during a Momento outage): limits were not enforced. */
  public readonly degradedAnswersAlarm?: cloudwatch.Alarm;
  /** The subscriber dropped device messages of an account beyond its per-account bounds. */
  public readonly heartbeatsThrottledAlarm?: cloudwatch.Alarm;
  /** The saved Logs Insights queries, unless `logQueries: false`. */
  public readonly logQueries?: TrackerLogQueries;
  /** A subscriber task waits for its Momento data key or for the cache (`SubscriberWaiting`). */
  public readonly subscriberWaitingAlarm?: cloudwatch.Alarm;
  /** The API answered 5xx. */
  public readonly apiServerErrorsAlarm?: cloudwatch.Alarm;
  /** The API's p99 latency is above the threshold. */
  public readonly apiLatencyAlarm?: cloudwatch.Alarm;
  /** A request-path Lambda was throttled. */
  public readonly lambdaThrottlesAlarm?: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: TrackerMonitoringProps) {
    super(scope, id);
    const options = props.options;
    const m = props.metric;
    const [tokenVendingFunction, entitlementFunction] = props.functions as [lambda.IFunction, lambda.IFunction];

    if (options.alarms ?? true) {
      props.subscriberServices.forEach((service, i) => {
        // ECS publishes service CPU once a minute while at least one task runs; no data means none.
        const alarm = new cloudwatch.Alarm(this, i === 0 ? 'SubscriberDown' : `SubscriberDown${i}`, {
          alarmDescription:
            'No heartbeat subscriber task is running: heartbeats are not recorded and sessions expire.' +
            runbookPointer('SubscriberDown'),
          metric: service.metricCpuUtilization({
            statistic: cloudwatch.Stats.SAMPLE_COUNT,
            period: Duration.minutes(1),
          }),
          comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
          threshold: 1,
          evaluationPeriods: 3,
          treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        });
        this.subscriberDownAlarms.push(alarm);
      });

      this.heartbeatsStoppedAlarm = new cloudwatch.Alarm(this, 'HeartbeatsStopped', {
        alarmDescription:
          'Devices were admitted but no heartbeat was processed for 10 minutes: the heartbeat pipeline is broken.' +
          runbookPointer('HeartbeatsStopped'),
        metric: new cloudwatch.MathExpression({
          expression: 'IF(FILL(admitted, 0) > 0 AND FILL(processed, 0) == 0, 1, 0)',
          usingMetrics: {
            admitted: m(TrackerMetricName.ADMISSIONS_GRANTED),
            processed: m(TrackerMetricName.HEARTBEATS_PROCESSED),
          },
          period: FIVE_MINUTES,
          label: 'Admitted without heartbeats',
        }),
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        threshold: 1,
        evaluationPeriods: 2,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });

      this.admissionDenialAlarm = new cloudwatch.Alarm(this, 'AdmissionDenialSpike', {
        alarmDescription:
          'Unusually many admissions were denied (limit reached or admission hook refusals).' +
          runbookPointer('AdmissionDenialSpike'),
        metric: m(TrackerMetricName.ADMISSIONS_DENIED),
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        threshold: options.admissionDenialThreshold ?? 50,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });

      this.errorsAlarm = new cloudwatch.Alarm(this, 'Errors', {
        alarmDescription: 'Lambda errors or Momento errors of the tracker.' + runbookPointer('Errors'),
        metric: new cloudwatch.MathExpression({
          expression: 'FILL(tv, 0) + FILL(ent, 0) + FILL(mtv, 0) + FILL(ment, 0) + FILL(msub, 0)',
          usingMetrics: {
            tv: tokenVendingFunction.metricErrors({ period: FIVE_MINUTES }),
            ent: entitlementFunction.metricErrors({ period: FIVE_MINUTES }),
            mtv: m(TrackerMetricName.MOMENTO_ERRORS, { component: TrackerComponent.TOKEN_VENDING }),
            ment: m(TrackerMetricName.MOMENTO_ERRORS, { component: TrackerComponent.ENTITLEMENT }),
            msub: m(TrackerMetricName.MOMENTO_ERRORS, { component: TrackerComponent.HEARTBEAT_SUBSCRIBER }),
          },
          period: FIVE_MINUTES,
          label: 'Errors',
        }),
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        threshold: options.errorThreshold ?? 5,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });

      // Emitted only under FAILURE_MODE `open`; with `closed` it has no data and stays OK.
      this.degradedAnswersAlarm = this.alarmAtLeast(
        'DegradedAnswers',
        new cloudwatch.MathExpression({
          expression: 'FILL(admissions, 0) + FILL(checks, 0)',
          usingMetrics: {
            admissions: m(TrackerMetricName.ADMISSIONS_DEGRADED, { component: TrackerComponent.TOKEN_VENDING }),
            checks: m(TrackerMetricName.ADMISSIONS_DEGRADED, { component: TrackerComponent.ENTITLEMENT }),
          },
          period: FIVE_MINUTES,
          label: 'Degraded answers',
        }),
        options.degradedAnswerThreshold ?? 1,
        'Admissions or entitlement checks were answered degraded (Momento unavailable, FAILURE_MODE open): limits were not enforced.',
      );

      this.heartbeatsThrottledAlarm = this.alarmAtLeast(
        'HeartbeatsThrottled',
        m(TrackerMetricName.HEARTBEATS_THROTTLED),
        1,
        'The heartbeat subscriber dropped device messages of an account that exceeded its per-account bounds ' +
          '(a flood, or sessions that are over). The subscriber log line "device messages throttled for one ' +
          'account" names the account (accountId).',
      );

      // The first deploy raises it until the keys are put: the subscriber stays up and waits.
      this.subscriberWaitingAlarm = this.alarmAtLeast(
        'SubscriberWaiting',
        m(TrackerMetricName.SUBSCRIBER_WAITING),
        1,
        'A heartbeat subscriber task is waiting: its Momento data key secret is empty or the key is refused ' +
          '(health status waiting-for-key), or the cache does not exist (waiting-for-cache). Heartbeats are not ' +
          'recorded until it is fixed; the task picks up a new key or the created cache by itself within 30 s.',
      );

      this.apiServerErrorsAlarm = this.alarmAtLeast(
        'ApiServerErrors',
        props.api.metricServerError({ period: FIVE_MINUTES }),
        options.apiServerErrorThreshold ?? 5,
        'The tracker API answered with status 5xx (a handler failed or was misconfigured, an integration timed out, or ' +
          'Lambda throttled it): devices could not be admitted or checked.',
      );

      this.apiLatencyAlarm = new cloudwatch.Alarm(this, 'ApiLatency', {
        alarmDescription:
          'The p99 latency of the tracker API stayed above the threshold for 10 minutes: admissions are slow for players.' +
          runbookPointer('ApiLatency'),
        metric: props.api.metricLatency({ statistic: 'p99', period: FIVE_MINUTES }),
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        threshold: (options.apiLatencyThreshold ?? Duration.seconds(3)).toMilliseconds(),
        evaluationPeriods: 2,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });

      this.lambdaThrottlesAlarm = this.alarmAtLeast(
        'LambdaThrottles',
        new cloudwatch.MathExpression({
          expression: 'FILL(tv, 0) + FILL(ent, 0)',
          usingMetrics: {
            tv: tokenVendingFunction.metricThrottles({ period: FIVE_MINUTES }),
            ent: entitlementFunction.metricThrottles({ period: FIVE_MINUTES }),
          },
          period: FIVE_MINUTES,
          label: 'Lambda throttles',
        }),
        1,
        'A request-path Lambda was throttled (its reserved concurrency or the account limit was reached): API Gateway ' +
          'answered 5xx to those requests.',
      );

      this.alarms.push(
        ...this.subscriberDownAlarms,
        this.heartbeatsStoppedAlarm,
        this.admissionDenialAlarm,
        this.errorsAlarm,
        this.degradedAnswersAlarm,
        this.heartbeatsThrottledAlarm,
        this.subscriberWaitingAlarm,
        this.apiServerErrorsAlarm,
        this.apiLatencyAlarm,
        this.lambdaThrottlesAlarm,
      );
      const actions = [
        ...(options.alarmActions ?? []),
        ...(options.alarmTopic ? [new cwActions.SnsAction(options.alarmTopic)] : []),
      ];
      for (const alarm of this.alarms) {
        for (const action of actions) {
          alarm.addAlarmAction(action);
          alarm.addOkAction(action);
        }
      }
    }

    if (options.logQueries ?? true) {
      this.logQueries = new TrackerLogQueries(this, 'LogQueries', {
        folder: props.logQueryFolder,
        tokenVendingLogGroup: props.tokenVendingLogGroup,
        entitlementLogGroup: props.entitlementLogGroup,
        subscriberLogGroups: props.subscriberLogGroups,
        vonageLogGroups: props.vonageLogGroups,
      });
    }

    if (options.dashboard ?? true) {
      this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
        dashboardName: options.dashboardName,
        defaultInterval: Duration.hours(3),
      });
      const graph = (title: string, metrics: cloudwatch.IMetric[]) =>
        new cloudwatch.GraphWidget({ title, left: metrics, width: 8, height: 6 });
      this.dashboard.addWidgets(
        graph('Admissions', [
          m(TrackerMetricName.ADMISSIONS_GRANTED),
          m(TrackerMetricName.ADMISSIONS_DENIED),
          m(TrackerMetricName.ADMISSIONS_DEGRADED),
          m(TrackerMetricName.EVICTIONS),
        ]),
        graph('Tokens', [m(TrackerMetricName.TOKENS_MINTED), m(TrackerMetricName.TOKENS_REUSED)]),
        graph('Entitlement', [m(TrackerMetricName.ENTITLEMENT_CHECKS), m(TrackerMetricName.SESSIONS_ENDED)]),
      );
      this.dashboard.addWidgets(
        graph('Heartbeats', [
          m(TrackerMetricName.HEARTBEATS_PROCESSED),
          m(TrackerMetricName.HEARTBEATS_REJECTED),
          m(TrackerMetricName.HEARTBEATS_THROTTLED),
        ]),
        graph('Session ends', [
          m(TrackerMetricName.SESSIONS_EXPIRED),
          m(TrackerMetricName.SESSIONS_STOPPED),
          m(TrackerMetricName.SESSIONS_ENDED),
        ]),
        graph('Subscriber reconnects and Momento errors', [
          m(TrackerMetricName.SUBSCRIBER_RECONNECTS),
          m(TrackerMetricName.MOMENTO_ERRORS, {
            component: TrackerComponent.TOKEN_VENDING,
            label: 'MomentoErrors token-vending',
          }),
          m(TrackerMetricName.MOMENTO_ERRORS, {
            component: TrackerComponent.ENTITLEMENT,
            label: 'MomentoErrors entitlement',
          }),
          m(TrackerMetricName.MOMENTO_ERRORS, {
            component: TrackerComponent.HEARTBEAT_SUBSCRIBER,
            label: 'MomentoErrors heartbeat-subscriber',
          }),
        ]),
      );
      this.dashboard.addWidgets(
        graph('API', [props.api.metricCount(), props.api.metricClientError(), props.api.metricServerError()]),
        graph('API latency (p99)', [props.api.metricLatency({ statistic: 'p99' })]),
        graph('Lambda errors', [tokenVendingFunction.metricErrors(), entitlementFunction.metricErrors()]),
      );
      this.dashboard.addWidgets(
        graph(
          'Subscriber CPU and memory',
          props.subscriberServices.flatMap((s) => [s.metricCpuUtilization(), s.metricMemoryUtilization()]),
        ),
      );
      if (this.alarms.length > 0) {
        this.dashboard.addWidgets(
          new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 }),
        );
      }
      if (this.logQueries) {
        const names = Object.values(TrackerLogQuery).map(
          (question) => `- \`${this.logQueries!.queryNames[question]}\``,
        );
        this.dashboard.addWidgets(
          new cloudwatch.TextWidget({
            markdown: [
              '### Saved Logs Insights queries',
              'CloudWatch → Logs Insights → Saved queries; what each answers and when to run it: docs/operations.md, "Saved queries".',
              '',
              ...names,
            ].join('\n'),
            width: 24,
            height: 2 + names.length,
          }),
        );
      }
    }
  }
  /** An alarm on `metric` reaching `threshold` in one period (no data: OK), pointing to its runbook entry. */
  private alarmAtLeast(
    id: string,
    metric: cloudwatch.IMetric,
    threshold: number,
    description: string,
  ): cloudwatch.Alarm {
    return new cloudwatch.Alarm(this, id, {
      alarmDescription: description + runbookPointer(id),
      metric,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      threshold,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}
