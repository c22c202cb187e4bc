import { parseRuntimeConfig } from '../core/runtime/config';
import { EventBridgeEventSink } from '../core/adapters/eventbridge-event-sink';
import { PowertoolsEngineLogger, PowertoolsEngineMetrics } from '../core/adapters/powertools-observability';
import { startHeartbeatSubscriber } from './heartbeat-subscriber';
import { errorMessage } from '../core/error-message';

/** Process entry of the heartbeat subscriber container (Fargate). */
async function main(): Promise<void> {
  const config = parseRuntimeConfig(process.env);
  const logger = new PowertoolsEngineLogger(config.serviceName);
  const metrics = new PowertoolsEngineMetrics(config);
  const events = config.eventBusName
    ? new EventBridgeEventSink(config.eventBusName, undefined, (message, fields) => logger.warn(message, fields))
    : undefined;
  const subscriber = await startHeartbeatSubscriber(config, { logger, metrics, events });
  // Started even without its data key: it then waits (health 200 `waiting-for-key`) and reads the secret again.
  logger.info('heartbeat subscriber started', {
    shards: config.subscriberShards,
    healthPort: subscriber.stats().healthPort,
    status: subscriber.stats().status,
  });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping heartbeat subscriber', { signal });
    subscriber
      .stop()
      .then(() => process.exit(0))
      .catch(() => process.exit(1));
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(
    JSON.stringify({ level: 'ERROR', message: 'heartbeat subscriber failed to start', error: errorMessage(error) }),
  );
  process.exit(1);
});
