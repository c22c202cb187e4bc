import type { MetricName } from '../../../../lambda/core/ports/observability';

/** Keeps counts in memory, for tests (the Vonage tests count its own names). */
export class CountingMetrics<N extends string = MetricName> {
  readonly counts = new Map<N, number>();
  count(name: N, value = 1): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + value);
  }
  get(name: N): number {
    return this.counts.get(name) ?? 0;
  }
}
