/**
 * A subscriber process under benchmark, started by `subscriber-process.ts` with `fork`. Mode
 * `engine` runs the real heartbeat subscriber (engine, sweep) from the runtime environment it is
 * given; mode `do-nothing` subscribes to the same shards and only counts items, the ceiling the
 * real one is compared with. The parent asks for `stats` over IPC; the process reports its own
 * CPU time and peak memory.
 */
import { CredentialProvider, TopicClient, TopicConfigurations, TopicSubscribe } from '@gomomento/sdk';
import { parseRuntimeConfig } from '../lambda/core/runtime/config';
import { createEngine } from '../lambda/core/engine/engine';
import { createMomentoPorts } from '../lambda/core/adapters/momento-clients';
import { heartbeatTopicName } from '../lambda/core/engine/scope';
import { RecordingEventSink } from '../test/lambda/core/support/recording-event-sink';
import { startHeartbeatSubscriber } from '../lambda/heartbeat-subscriber/heartbeat-subscriber';
import { finishedMessages, type ChildReport, type ChildRequest } from './subscriber-process';

async function main(): Promise<void> {
  const mode = process.env.BENCH_SUBSCRIBER_MODE;
  const config = parseRuntimeConfig(process.env);
  const send = (message: ChildReport) => process.send?.(message);
  const usage = () => {
    const cpu = process.cpuUsage();
    return {
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
      rssBytes: process.memoryUsage().rss,
    };
  };

  if (mode === 'do-nothing') {
    const { hostname, port } = config.momentoLocalEndpoint!;
    const client = new TopicClient({
      configuration: TopicConfigurations.Default.latest(),
      credentialProvider: CredentialProvider.forMomentoLocal({ hostname, port }),
    });
    let received = 0;
    for (const shard of config.subscriberShards) {
      const subscription = await client.subscribe(
        config.cacheName,
        heartbeatTopicName(config.heartbeatTopic, shard, config.topicShards),
        {
          onItem: () => (received += 1),
          onError: () => undefined,
        },
      );
      if (!(subscription instanceof TopicSubscribe.Subscription))
        throw new Error(`do-nothing subscriber could not subscribe: ${subscription.toString()}`);
    }
    process.on('message', (request: ChildRequest) => {
      if (request.type === 'stats')
        send({
          type: 'stats',
          received,
          processed: received,
          leaseLost: 0,
          expiredSessions: [],
          shed: 0,
          failed: 0,
          ...usage(),
        });
      if (request.type === 'stop') process.exit(0);
    });
    send({ type: 'ready' });
    return;
  }

  const ports = createMomentoPorts(config);
  const events = new RecordingEventSink();
  const intervalMs = Number(process.env.BENCH_INTERVAL_MS ?? 60_000);
  const cappedListSize = Number(process.env.BENCH_CAPPED_LIST_SIZE ?? 20);
  // As the heartbeat subscriber builds its engine: deadline index writes batched per shard.
  const engine = createEngine(config, {
    cache: ports.cache,
    topics: ports.topics,
    events,
    strategyOptions: { intervalMs, cappedListSize },
    deadlineIndexBatch: {},
  });
  const subscriber = await startHeartbeatSubscriber(config, { ports, engine, options: { healthPort: false } });
  await subscriber.ready();
  process.on('message', (request: ChildRequest) => {
    if (request.type === 'stats') {
      const stats = subscriber.stats();
      const { messages } = stats;
      const processed = finishedMessages(stats);
      send({
        type: 'stats',
        received: messages.received,
        processed,
        leaseLost: messages.outcomes['lease-lost'],
        expiredSessions: events
          .ofType('Session Expired')
          .map((event) => String((event.detail as { sessionId?: string }).sessionId)),
        shed: messages.shed,
        failed: messages.failed,
        ...usage(),
      });
    }
    if (request.type === 'stop') void subscriber.stop().then(() => process.exit(0));
  });
  send({ type: 'ready' });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
