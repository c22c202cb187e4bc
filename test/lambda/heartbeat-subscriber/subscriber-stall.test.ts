import { parseRuntimeConfig } from '../../../lambda/core/runtime/config';
import type { ConcurrencyEngine, DeviceMessageOutcome } from '../../../lambda/core/engine/engine-types';
import type { HeartbeatMessage } from '../../../lambda/core/messages/heartbeat-message';
import type { CachePort, TopicPort, TopicSubscriptionHandlers } from '../../../lambda/core/ports/momento-ports';
import { CountingMetrics } from '../core/support/counting-metrics';
import { silentLogger } from '../../../lambda/core/ports/observability';
import { SessionKeys } from '../../../lambda/core/messages/session-key';
import { DeviceMessageProcessor } from '../../../lambda/heartbeat-subscriber/device-message-processor';
import { startHeartbeatSubscriber } from '../../../lambda/heartbeat-subscriber/heartbeat-subscriber';
import { gatedEngine } from './support/gated-engine';
import { heartbeatItem } from './support/heartbeat-item';
import { getHealth } from './support/subscriber-health';

// A Momento call that never answers must not hold a worker for good: with every worker waiting on
// such calls the queue stops moving, with no error and an idle CPU, and every lease of the shard
// lapses. Each message is bounded; a queue that still makes no progress fails the health check.
const sessionKeys = new SessionKeys('subscriber-stall-secret-of-32-characters');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const heartbeat = (accountId: string, sessionId: string) => heartbeatItem(sessionKeys, accountId, sessionId);
const never = () => new Promise<never>(() => undefined);

async function waitUntil(done: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await sleep(10);
  return done();
}

it('a Momento call that never answers frees its worker after the message bound, and the queue moves on', async () => {
  const engine = {
    handleDeviceMessage: (_a: string, m: HeartbeatMessage): Promise<DeviceMessageOutcome> =>
      m.sessionId.startsWith('hung') ? never() : Promise.resolve('refreshed'),
  } as unknown as ConcurrencyEngine;
  const metrics = new CountingMetrics();
  const processor = new DeviceMessageProcessor(engine, metrics, silentLogger, 2, 100, {
    sessionKeys,
    messageTimeoutMs: 200,
  });
  processor.submit(heartbeat('acc', 'hung-1'));
  processor.submit(heartbeat('acc', 'hung-2')); // both workers now wait on calls that never answer
  for (let i = 0; i < 20; i += 1) processor.submit(heartbeat(`acc-${i}`, 'live'));
  // Generous: the bound is 200 ms; this only has to end, on a loaded machine.
  expect(await waitUntil(() => processor.inFlight === 0, 30_000)).toBe(true);
  expect(processor.stats()).toMatchObject({ failed: 2, outcomes: { refreshed: 20 } });
  expect(metrics.get('MomentoErrors')).toBe(2);
});

it('a queue that makes no progress fails the health check, and passes again once it moves', async () => {
  const { engine, release } = gatedEngine();
  let handlers: TopicSubscriptionHandlers | undefined;
  const topics: TopicPort = {
    publish: async () => undefined,
    subscribe: async (_topic, h) => {
      handlers = h;
      return { unsubscribe: () => undefined };
    },
  };
  const config = parseRuntimeConfig({
    CACHE_NAME: 'c',
    HEARTBEAT_TOPIC: 'heartbeat',
    CONTROL_TOPIC_PREFIX: 'control-',
    MOMENTO_LOCAL_ENDPOINT: '127.0.0.1:1',
  });
  const subscriber = await startHeartbeatSubscriber(config, {
    ports: { cache: {} as CachePort, topics },
    engine,
    sessionKeys,
    options: { healthPort: 0, maxConcurrency: 1, messageTimeoutMs: 60_000, stuckAfterMs: 300 },
  });
  try {
    await subscriber.ready();
    const port = subscriber.stats().healthPort!;
    expect((await getHealth(port)).status).toBe(200);
    handlers!.onMessage(heartbeat('acc', 's1'));
    handlers!.onMessage(heartbeat('acc', 's2')); // waits behind the first, which never finishes
    expect(await waitUntil(() => subscriber.stats().status === 'stuck', 30_000)).toBe(true);
    const stuck = await getHealth(port);
    expect(stuck.status).toBe(503);
    expect(stuck.body).toMatchObject({ status: 'stuck' });
    expect(String(stuck.body.reason)).toMatch(/no device message finished/);
    release();
    expect(await waitUntil(() => subscriber.stats().status === 'ok', 30_000)).toBe(true);
    expect((await getHealth(port)).status).toBe(200);
  } finally {
    release();
    await subscriber.stop();
  }
});
