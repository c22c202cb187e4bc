import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { TrackerMetricOptions } from '../tracker-metric';
import { TrackerMetricName } from '../tracker-metric-name';
import { METRIC_EMITTER } from '../tracker-metric-names';

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
