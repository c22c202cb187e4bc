import type { EngineMetrics, MetricName } from '../../lambda/core/ports/observability';

/** The engine's metrics as the playground counts them: what CloudWatch would receive, in memory. */
export class MetricCounts implements EngineMetrics {
  readonly counts = new Map<MetricName, number>();
  count(name: MetricName, value = 1): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + value);
  }
  get(name: MetricName): number {
    return this.counts.get(name) ?? 0;
  }
}
