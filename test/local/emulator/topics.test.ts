import * as grpc from '@grpc/grpc-js';
import { pubsub } from '@gomomento/generated-types';
import { MomentoErrorCode, TopicPublish, TopicSubscribe } from '@gomomento/sdk';
import { MAX_MESSAGE_BYTES } from '../../../local/emulator';
import { codeOf, localCredentials, record, sleep, topicClient, useEmulator, waitFor } from './support/emulator-session';

const CACHE = 'topics-cache';
const RETAINED = 20;
const session = useEmulator(CACHE, { heartbeatIntervalMs: 200, retainedItemsPerTopic: RETAINED });

const sequenceNumbers = (items: { sequenceNumber(): number }[]) => items.map((item) => item.sequenceNumber());
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('topics', () => {
  it('numbers items one by one per topic and delivers text and binary values', async () => {
    const client = topicClient(localCredentials(session.emulator));
    const a = await record(client, CACHE, 'numbered-a');
    const b = await record(client, CACHE, 'numbered-b');
    for (let i = 0; i < 5; i += 1) {
      await client.publish(CACHE, 'numbered-a', `a${i}`);
      if (i % 2 === 0) await client.publish(CACHE, 'numbered-b', new Uint8Array([i, 255]));
    }
    await waitFor(() => a.items.length === 5 && b.items.length === 3, 15_000, 'all items');
    const firstA = a.items[0]?.sequenceNumber() ?? 0;
    expect(sequenceNumbers(a.items)).toEqual(range(firstA, firstA + 4));
    const firstB = b.items[0]?.sequenceNumber() ?? 0;
    expect(sequenceNumbers(b.items)).toEqual(range(firstB, firstB + 2));
    expect(a.items.map((item) => item.value())).toEqual(['a0', 'a1', 'a2', 'a3', 'a4']);
    expect(b.items[1]?.value()).toEqual(new Uint8Array([2, 255]));
    a.subscription.unsubscribe();
    b.subscription.unsubscribe();
  });

  it('sends a heartbeat when a subscription opens and then periodically', async () => {
    const client = topicClient(localCredentials(session.emulator));
    const recorded = await record(client, CACHE, 'quiet');
    // subscribe() resolves on the first message: the opening heartbeat.
    expect(recorded.heartbeats).toBeGreaterThanOrEqual(1);
    await sleep(750);
    expect(recorded.heartbeats).toBeGreaterThanOrEqual(3);
    expect(recorded.items).toHaveLength(0);
    recorded.subscription.unsubscribe();
  });

  it('resumes after dropped streams without losing or repeating an item', async () => {
    const { emulator } = session;
    const client = topicClient(localCredentials(emulator));
    const recorded = await record(client, CACHE, 'resume');
    for (let i = 1; i <= 5; i += 1) await client.publish(CACHE, 'resume', `m${i}`);
    await waitFor(() => recorded.items.length === 5, 15_000, 'the first five');
    expect(emulator.faults.dropSubscriptions()).toBeGreaterThanOrEqual(1);
    // Published while the subscriber is away (the SDK resubscribes about 500 ms later).
    for (let i = 6; i <= 10; i += 1) await client.publish(CACHE, 'resume', `m${i}`);
    await waitFor(() => recorded.items.length >= 10, 15_000, 'the replayed items');
    emulator.faults.dropSubscriptions();
    await sleep(100);
    for (let i = 11; i <= 12; i += 1) await client.publish(CACHE, 'resume', `m${i}`);
    await waitFor(() => recorded.items.length >= 12, 15_000, 'items after a second drop');
    await sleep(100);
    expect(recorded.items.map((item) => item.value())).toEqual(range(1, 12).map((i) => `m${i}`));
    const first = recorded.items[0]?.sequenceNumber() ?? 0;
    expect(sequenceNumbers(recorded.items)).toEqual(range(first, first + 11));
    expect(recorded.connectionLosses).toBeGreaterThanOrEqual(1);
    expect(recorded.discontinuities).toHaveLength(0);
    expect(recorded.errors).toHaveLength(0);
    recorded.subscription.unsubscribe();
  });

  it('reports a discontinuity when the log no longer holds the resume point', async () => {
    const { emulator } = session;
    const client = topicClient(localCredentials(emulator));
    const recorded = await record(client, CACHE, 'gap');
    for (let i = 1; i <= 3; i += 1) await client.publish(CACHE, 'gap', `g${i}`);
    await waitFor(() => recorded.items.length === 3, 15_000, 'the first three');
    const lastSeen = recorded.items[2]?.sequenceNumber() ?? 0;
    // The SDK resubscribes about 500 ms after the drop; its resubscribe is held back here so that
    // every publish below lands while it is away, however slowly this machine publishes.
    emulator.faults.addLatency('subscribe', 5000);
    emulator.faults.dropSubscriptions();
    const missed = RETAINED + 10;
    for (let i = 4; i < 4 + missed; i += 1) await client.publish(CACHE, 'gap', `g${i}`);
    emulator.faults.clear();
    await waitFor(
      () => recorded.discontinuities.length === 1 && recorded.items.length === 3 + RETAINED,
      30_000,
      'the gap and the log',
    );
    const newest = lastSeen + missed;
    const oldestRetained = newest - RETAINED + 1;
    const gap = recorded.discontinuities[0];
    expect(gap?.lastSequenceNumber()).toBe(lastSeen);
    expect(gap?.newSequenceNumber()).toBe(oldestRetained);
    expect(sequenceNumbers(recorded.items.slice(3))).toEqual(range(oldestRetained, newest));
    recorded.subscription.unsubscribe();
  });

  it(`refuses messages over ${MAX_MESSAGE_BYTES} bytes with a limit error`, async () => {
    const client = topicClient(localCredentials(session.emulator));
    expect(await client.publish(CACHE, 'big', 'x'.repeat(MAX_MESSAGE_BYTES))).toBeInstanceOf(TopicPublish.Success);
    expect(codeOf(await client.publish(CACHE, 'big', 'x'.repeat(MAX_MESSAGE_BYTES + 1)))).toBe(
      MomentoErrorCode.LIMIT_EXCEEDED_ERROR,
    );
    // Multi-byte text counts in UTF-8 bytes.
    expect(codeOf(await client.publish(CACHE, 'big', 'é'.repeat(MAX_MESSAGE_BYTES / 2 + 1)))).toBe(
      MomentoErrorCode.LIMIT_EXCEEDED_ERROR,
    );
    expect(codeOf(await client.publish(CACHE, 'big', new Uint8Array(MAX_MESSAGE_BYTES + 1)))).toBe(
      MomentoErrorCode.LIMIT_EXCEEDED_ERROR,
    );
  });

  it('fails publish and subscribe on a missing cache as Momento does', async () => {
    const client = topicClient(localCredentials(session.emulator));
    expect(codeOf(await client.publish('no-such-cache', 't', 'x'))).toBe(MomentoErrorCode.CACHE_NOT_FOUND_ERROR);
    const subscribed = await client.subscribe('no-such-cache', 't', {});
    expect(subscribed).toBeInstanceOf(TopicSubscribe.Error);
    expect(codeOf(subscribed)).toBe(MomentoErrorCode.CACHE_NOT_FOUND_ERROR);
  });

  it('counts publishes, bytes and deliveries', async () => {
    const { emulator } = session;
    emulator.resetStats();
    const client = topicClient(localCredentials(emulator));
    const recorded = await record(client, CACHE, 'counted');
    await client.publish(CACHE, 'counted', 'abc');
    await client.publish(CACHE, 'counted', 'de');
    await waitFor(() => recorded.items.length === 2, 15_000, 'both items');
    const stats = emulator.stats();
    expect(stats.messagesPublished).toBe(2);
    expect(stats.bytesPublished).toBe(5);
    expect(stats.itemsDelivered).toBe(2);
    expect(stats.calls.Publish).toBe(2);
    expect(stats.calls.Subscribe).toBe(1);
    expect(stats.openSubscriptions).toBe(1);
    recorded.subscription.unsubscribe();
    await waitFor(() => emulator.stats().openSubscriptions === 0, 15_000, 'the subscription to close');
  });

  it('answers raw resume requests: a new page or a point past the newest item gives a discontinuity', async () => {
    const { emulator } = session;
    const pb = pubsub.cache_client.pubsub;
    const client = topicClient(localCredentials(emulator));
    for (let i = 1; i <= 3; i += 1) await client.publish(CACHE, 'raw', `r${i}`);
    const raw = new pb.PubsubClient(emulator.address, grpc.credentials.createInsecure());
    /** The first `count` messages of a stream opened with the given resume point. */
    const firstMessages = (resumeAt: number, page: number, count: number) =>
      new Promise<ReturnType<InstanceType<typeof pb._SubscriptionItem>['toObject']>[]>((resolve, reject) => {
        const seen: ReturnType<InstanceType<typeof pb._SubscriptionItem>['toObject']>[] = [];
        const call = raw.Subscribe(
          new pb._SubscriptionRequest({
            cache_name: CACHE,
            topic: 'raw',
            resume_at_topic_sequence_number: resumeAt,
            sequence_page: page,
          }),
        );
        call.on('data', (message: InstanceType<typeof pb._SubscriptionItem>) => {
          seen.push(message.toObject());
          if (seen.length === count) {
            call.cancel();
            resolve(seen);
          }
        });
        call.on('error', (error: grpc.ServiceError) => {
          if (error.code !== grpc.status.CANCELLED) reject(error);
        });
      });
    try {
      const [, first] = await firstMessages(1, 0, 2);
      const page = first?.item?.sequence_page ?? 0;
      expect(first?.item?.topic_sequence_number).toBe(1);
      expect(page).toBeGreaterThan(0);

      const sameStart = await firstMessages(2, page, 3);
      expect(sameStart.map((m) => m.item?.value?.text ?? (m.heartbeat !== undefined ? 'heartbeat' : '?'))).toEqual([
        'heartbeat',
        'r2',
        'r3',
      ]);

      const [, otherPage] = await firstMessages(2, page + 1, 2);
      expect(otherPage?.discontinuity).toEqual({
        last_topic_sequence: 1,
        new_topic_sequence: 4,
        new_sequence_page: page,
      });

      const [, ahead] = await firstMessages(10, page, 2);
      expect(ahead?.discontinuity).toEqual({ last_topic_sequence: 9, new_topic_sequence: 4, new_sequence_page: page });
    } finally {
      raw.close();
    }
  });
});
