import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { RuntimeConfig } from '../runtime/config';
import type { EngineLogger, EngineMetrics, MetricName } from '../ports/observability';

/** Field names whose values must never reach a log line. */
const SECRET_FIELDS = /token|key|secret|authorization|password/i;

function redact(fields: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!fields) return undefined;
  return Object.fromEntries(
    Object.entries(fields).map(([name, value]) => [name, SECRET_FIELDS.test(name) ? '[redacted]' : value]),
  );
}

/** Structured JSON logs through Powertools; fields named like key material are redacted. */
export class PowertoolsEngineLogger implements EngineLogger {
  readonly logger: Logger;

  constructor(serviceName: string, logger?: Logger) {
    this.logger = logger ?? new Logger({ serviceName });
  }

  debug(message: string, fields?: Record<string, unknown>): void {
    this.logger.debug(message, redact(fields) ?? {});
  }
  info(message: string, fields?: Record<string, unknown>): void {
    this.logger.info(message, redact(fields) ?? {});
  }
  warn(message: string, fields?: Record<string, unknown>): void {
    this.logger.warn(message, redact(fields) ?? {});
  }
  error(message: string, fields?: Record<string, unknown>): void {
    this.logger.error(message, redact(fields) ?? {});
  }
}

/**
 * Counts in CloudWatch embedded metric format through Powertools (namespace and the `service`
 * dimension from the configuration). Lambdas flush after each invocation, the subscriber on a timer.
 */
export class PowertoolsEngineMetrics implements EngineMetrics {
  readonly metrics: Metrics;

  constructor(config: Pick<RuntimeConfig, 'metricsNamespace' | 'serviceName'>) {
    this.metrics = new Metrics({ namespace: config.metricsNamespace, serviceName: config.serviceName });
  }

  count(name: MetricName, value = 1): void {
    this.metrics.addMetric(name, MetricUnit.Count, value);
  }

  /** Writes the buffered metrics as one EMF line (nothing when nothing was counted). */
  flush(): void {
    if (this.metrics.hasStoredMetrics()) this.metrics.publishStoredMetrics();
  }
}
