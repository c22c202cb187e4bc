import {
  CacheClient,
  CacheSet,
  Configurations,
  CredentialProvider,
  TopicClient,
  TopicConfigurations,
  TopicPublish,
  TopicSubscribe,
} from '@gomomento/sdk';
import type { Emulator } from '../local/emulator';
import { BENCH_CACHE } from './bench-engine';
import type { BenchScale } from './bench-scale';
import type { MeasurementResult } from './bench-results';
import { runWithConcurrency } from './run-with-concurrency';

/** A heartbeat-sized message (the real ones are about this long). */
const MESSAGE = JSON.stringify({
  v: 1,
  type: 'heartbeat',
  sessionId: '6f1c2a9e-0d1b-4c36-9a51-3f0e2b7d8c41',
  deviceId: 'device-000123',
  sessionKey: 'x'.repeat(43),
});
const PUBLISH_CONCURRENCY = 32;
const CACHE_CONCURRENCY = 64;

/**
 * What the emulator itself sustains on this machine, with the SDK on both ends, so no figure is
 * read as the project's when it is the emulator's: messages per second from publish to delivery
 * through one subscription, and cache operations per second. Clients run in the benchmark's
 * process beside the emulator, as every other measurement's clients do.
 */
export async function measureEmulatorCeiling(emulator: Emulator, scale: BenchScale): Promise<MeasurementResult> {
  const started = Date.now();
  const credentialProvider = CredentialProvider.forMomentoLocal({ hostname: emulator.hostname, port: emulator.port });
  const topicClient = new TopicClient({ configuration: TopicConfigurations.Default.latest(), credentialProvider });
  const cacheClient = new CacheClient({
    configuration: Configurations.Laptop.latest(),
    credentialProvider,
    defaultTtlSeconds: 60,
  });
  try {
    const topics = await topicCeiling(emulator, topicClient, scale.ceilingMessages, scale.waitForStreamRestart);
    const cache = await cacheCeiling(cacheClient, scale.ceilingCacheOps);
    return {
      section: 'Emulator ceiling',
      method:
        `One SDK subscription receives ${scale.ceilingMessages.toLocaleString('en-US')} heartbeat-sized messages published with ${PUBLISH_CONCURRENCY} publishes in flight; ` +
        `${scale.ceilingCacheOps.toLocaleString('en-US')} cache calls (set and get alternating, ${CACHE_CONCURRENCY} in flight). Emulator and clients share the benchmark's Node.js process. ` +
        (scale.waitForStreamRestart
          ? "Publishing starts after the SDK's restart of the subscription's first stream (see the setup note)."
          : 'The quick run does not wait for the restart of the first stream.'),
      systemRows: [
        {
          measure: 'Emulator: publish → delivery to one subscriber',
          value: `${fmt(topics.perSecond)} msgs/s`,
          note: `${topics.delivered}/${scale.ceilingMessages} delivered`,
        },
        { measure: 'Emulator: cache operations', value: `${fmt(cache.perSecond)} ops/s` },
      ],
      figures: { emulatorMessagesPerSecond: topics.perSecond, emulatorCacheOpsPerSecond: cache.perSecond },
      elapsedMs: Date.now() - started,
    };
  } finally {
    cacheClient.close();
  }
}

async function topicCeiling(
  emulator: Emulator,
  client: TopicClient,
  messages: number,
  waitForRestart: boolean,
): Promise<{ perSecond: number; delivered: number }> {
  const topic = 'ceiling';
  let delivered = 0;
  let allDelivered: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (allDelivered = resolve));
  const subscription = await client.subscribe(BENCH_CACHE, topic, {
    onItem: () => {
      delivered += 1;
      if (delivered === messages) allDelivered();
    },
    onError: () => undefined,
  });
  if (!(subscription instanceof TopicSubscribe.Subscription))
    throw new Error(`ceiling subscription failed: ${subscription.toString()}`);
  try {
    if (waitForRestart) await firstStreamRestart(emulator);
    const t0 = performance.now();
    let failed = 0;
    await runWithConcurrency(messages, PUBLISH_CONCURRENCY, async () => {
      const response = await client.publish(BENCH_CACHE, topic, MESSAGE);
      if (!(response instanceof TopicPublish.Success)) failed += 1;
    });
    // Wait for the stragglers, but not for messages that were never accepted.
    await Promise.race([done, sleep(10_000)]);
    const seconds = (performance.now() - t0) / 1000;
    if (failed > 0) throw new Error(`${failed} ceiling publishes failed`);
    return { perSecond: delivered / seconds, delivered };
  } finally {
    subscription.unsubscribe();
  }
}

async function cacheCeiling(client: CacheClient, operations: number): Promise<{ perSecond: number }> {
  const t0 = performance.now();
  let failed = 0;
  await runWithConcurrency(operations, CACHE_CONCURRENCY, async (i) => {
    const key = `ceiling-${i % 1000}`;
    if (i % 2 === 0) {
      if (!((await client.set(BENCH_CACHE, key, MESSAGE)) instanceof CacheSet.Success)) failed += 1;
    } else {
      await client.get(BENCH_CACHE, key);
    }
  });
  if (failed > 0) throw new Error(`${failed} ceiling cache calls failed`);
  return { perSecond: operations / ((performance.now() - t0) / 1000) };
}

/**
 * The SDK puts its request deadline (5 s) on the first Subscribe call of a subscription, so that
 * stream ends with DEADLINE_EXCEEDED after 5 s and the SDK resumes it. A throughput figure is
 * taken after that restart, not across it.
 */
export async function firstStreamRestart(emulator: Emulator, subscriptions = 1): Promise<void> {
  const subscribes = () => emulator.stats().calls.Subscribe ?? 0;
  const before = subscribes();
  const deadline = performance.now() + 7_000;
  while (subscribes() < before + subscriptions && performance.now() < deadline) await sleep(50);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function fmt(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}
