import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { METRIC_EMITTER, TrackerComponent, TrackerMetricName } from './tracker-metric-names';

/** Options of a tracker metric. */
export interface TrackerMetricOptions extends cloudwatch.MetricOptions {
  /**
   * The component whose emission to read (the `service` dimension). Only `MomentoErrors` and
   * `AdmissionsDegraded` (entitlement checks answered degraded) are emitted by more than one.
   * @default - the component that emits the metric (token vending for `MomentoErrors` and `AdmissionsDegraded`)
   */
  readonly component?: TrackerComponent;
}

/** A runtime metric of the contract: sum over 5 minutes unless the options say otherwise. */
export function trackerMetric(
  namespace: string,
  metricName: TrackerMetricName,
  options: TrackerMetricOptions = {},
): cloudwatch.Metric {
  const { component, ...metricOptions } = options;
  return new cloudwatch.Metric({
    namespace,
    metricName,
    dimensionsMap: { service: component ?? METRIC_EMITTER[metricName] },
    statistic: cloudwatch.Stats.SUM,
    period: Duration.minutes(5),
    ...metricOptions,
  });
}
