import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { TrackerComponent } from './tracker-metric-names';

/** Options of a tracker metric. */
export interface TrackerMetricOptions extends cloudwatch.MetricOptions {
  /**
   * The component whose emission to read (the `service` dimension). Only `MomentoErrors` and
   * `AdmissionsDegraded` (entitlement checks answered degraded) are emitted by more than one.
   * @default - the component that emits the metric (token vending for `MomentoErrors` and `AdmissionsDegraded`)
   */
  readonly component?: TrackerComponent;
}
