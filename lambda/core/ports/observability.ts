import type { MetricName } from '../../../contract/metric-names';

/** Metric names of docs/architecture.md ("Metrics"), from the contract the construct reads too. */
export type { MetricName };

/** Counts for CloudWatch (EMF through Powertools in `adapters/powertools-observability.ts`). */
export interface EngineMetrics {
  count(name: MetricName, value?: number): void;
}

/** Structured logs; callers never pass key material or tokens. */
export interface EngineLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: EngineLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

export const noMetrics: EngineMetrics = { count: () => undefined };
