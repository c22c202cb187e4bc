import { ConcurrencyLimiter, mapWithConcurrency } from '../../../lambda/core/engine/concurrency-limiter';
import type { ConcurrencyEngine, DeviceMessageOutcome } from '../../../lambda/core/engine/engine-types';
import type { HeartbeatMessage } from '../../../lambda/core/messages/heartbeat-message';
import {
  MomentoCallError,
  type TopicPort,
  type TopicSubscriptionHandlers,
} from '../../../lambda/core/ports/momento-ports';
import { CountingMetrics } from '../core/support/counting-metrics';
import { silentLogger } from '../../../lambda/core/ports/observability';
import { SessionKeys } from '../../../lambda/core/messages/session-key';
import { DeviceMessageProcessor } from '../../../lambda/heartbeat-subscriber/device-message-processor';
import { ShardSubscription } from '../../../lambda/heartbeat-subscriber/shard-subscription';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const sessionKeys = new SessionKeys('subscriber-units-secret-of-32-characters');
/** A body with the session key its account, session and device would have been granted. */
const keyed = (accountId: string, body: { sessionId: string; deviceId: string } & Record<string, unknown>) => ({
  ...body,
  sessionKey: sessionKeys.derive({ accountId, sessionId: body.sessionId, deviceId: body.deviceId }),
});

describe('ConcurrencyLimiter', () => {
  it('never runs more than its limit and keeps order of results', async () => {
    let running = 0;
    let peak = 0;
    const results = await mapWithConcurrency([5, 1, 4, 2, 3, 0], 2, async (ms) => {
      running += 1;
      peak = Math.max(peak, running);
      await sleep(ms * 5);
      running -= 1;
      return ms;
    });
    expect(results).toEqual([5, 1, 4, 2, 3, 0]);
    expect(peak).toBe(2);
  });

  it('reports idle only once everything finished', async () => {
    const limiter = new ConcurrencyLimiter(1);
    let done = 0;
    for (let i = 0; i < 3; i += 1)
      void limiter.run(async () => {
        await sleep(10);
        done += 1;
      });
    await limiter.idle();
    expect(done).toBe(3);
    expect(() => new ConcurrencyLimiter(0)).toThrow(/whole number/);
  });
});

describe('DeviceMessageProcessor', () => {
  const message = (body: unknown, tokenId?: string) => ({
    value: typeof body === 'string' ? body : JSON.stringify(body),
    tokenId,
    sequenceNumber: 1,
  });

  it('hands valid messages to the engine with the token id as account, and drops bad ones without throwing', async () => {
    const seen: [string, HeartbeatMessage][] = [];
    const engine = {
      handleDeviceMessage: async (accountId: string, m: HeartbeatMessage): Promise<DeviceMessageOutcome> => (
        seen.push([accountId, m]),
        'refreshed'
      ),
    } as unknown as ConcurrencyEngine;
    const metrics = new CountingMetrics();
    const processor = new DeviceMessageProcessor(engine, metrics, silentLogger, 4, 100, { sessionKeys });
    processor.submit(
      message(
        { v: 1, type: 'heartbeat', ...keyed('acc-1', { sessionId: 's', deviceId: 'd' }), accountId: 'spoofed' },
        'acc-1',
      ),
    );
    processor.submit(message({ v: 1, type: 'heartbeat', ...keyed('acc-1', { sessionId: 's', deviceId: 'd' }) })); // no token id
    processor.submit(message('not json', 'acc-1'));
    processor.submit(message({ v: 1, type: 'heartbeat' }, 'acc-1'));
    processor.submit({ value: new Uint8Array(2048), tokenId: 'acc-1', sequenceNumber: 2 });
    // Keys of another session, device or account do not prove this one.
    const otherKeys: Array<[string, { sessionId: string; deviceId: string }]> = [
      ['acc-1', { sessionId: 's2', deviceId: 'd' }],
      ['acc-1', { sessionId: 's', deviceId: 'd2' }],
      ['acc-2', { sessionId: 's', deviceId: 'd' }],
    ];
    for (const [accountId, owner] of otherKeys) {
      const { sessionKey } = keyed(accountId, owner);
      processor.submit(message({ v: 1, type: 'heartbeat', sessionId: 's', deviceId: 'd', sessionKey }, 'acc-1'));
    }
    await processor.drain();
    expect(seen).toEqual([['acc-1', { v: 1, type: 'heartbeat', sessionId: 's', deviceId: 'd' }]]);
    expect(processor.stats()).toMatchObject({ received: 8, rejected: 7, failed: 0, outcomes: { refreshed: 1 } });
    expect(metrics.get('HeartbeatsRejected')).toBe(7);
  });

  it('counts engine failures and sheds beyond its queue', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const engine = {
      handleDeviceMessage: async (_a: string, m: HeartbeatMessage): Promise<DeviceMessageOutcome> => {
        await gate;
        if (m.sessionId === 'boom') throw new MomentoCallError('unavailable', 'down');
        return 'refreshed';
      },
    } as unknown as ConcurrencyEngine;
    const metrics = new CountingMetrics();
    const processor = new DeviceMessageProcessor(engine, metrics, silentLogger, 1, 2, { sessionKeys });
    for (const sessionId of ['boom', 'a', 'b', 'c'])
      processor.submit(message({ v: 1, type: 'heartbeat', ...keyed('acc', { sessionId, deviceId: 'd' }) }, 'acc'));
    expect(processor.inFlight).toBe(3);
    release();
    await processor.drain();
    expect(processor.stats()).toMatchObject({ received: 4, shed: 1, failed: 1, outcomes: { refreshed: 2 } });
    expect(metrics.get('MomentoErrors')).toBe(1);
  });
});

describe('DeviceMessageProcessor backlog', () => {
  it('keeps only the newest waiting message per session, and never replaces a waiting stop', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const handled: string[] = [];
    const engine = {
      handleDeviceMessage: async (accountId: string, m: HeartbeatMessage): Promise<DeviceMessageOutcome> => {
        await gate;
        handled.push(`${accountId}:${m.sessionId}:${m.type}:${m.contentId ?? ''}`);
        return m.type === 'stop' ? 'stopped' : 'refreshed';
      },
    } as unknown as ConcurrencyEngine;
    const processor = new DeviceMessageProcessor(engine, new CountingMetrics(), silentLogger, 1, 100, { sessionKeys });
    const send = (accountId: string, sessionId: string, type: 'heartbeat' | 'stop', contentId?: string) =>
      processor.submit({
        value: JSON.stringify({ v: 1, type, ...keyed(accountId, { sessionId, deviceId: 'd' }), contentId }),
        tokenId: accountId,
        sequenceNumber: 1,
      });
    send('acc', 'busy', 'heartbeat'); // starts at once and blocks the only worker
    for (const n of ['1', '2', '3']) send('acc', 's1', 'heartbeat', `c${n}`);
    send('acc', 's2', 'heartbeat');
    send('acc', 's2', 'stop');
    send('acc', 's2', 'heartbeat'); // after the stop: must not replace it
    send('other', 's1', 'heartbeat', 'x'); // same session id, other account: its own entry
    expect(processor.backlog).toBe(3);
    release();
    await processor.drain();
    // Accounts take turns: the other account's message comes before this account's second one.
    expect(handled).toEqual(['acc:busy:heartbeat:', 'acc:s1:heartbeat:c3', 'other:s1:heartbeat:x', 'acc:s2:stop:']);
    expect(processor.stats()).toMatchObject({ received: 8, coalesced: 4, outcomes: { refreshed: 3, stopped: 1 } });
  });
});

describe('ShardSubscription', () => {
  it('backs off on refused subscribes, then subscribes and resubscribes after the SDK gives up', async () => {
    let attempts = 0;
    let gaps = 0;
    let handlers: TopicSubscriptionHandlers | undefined;
    const topics: TopicPort = {
      publish: async () => undefined,
      subscribe: async (_topic, h) => {
        attempts += 1;
        if (attempts <= 2) throw new MomentoCallError('authentication', 'expired key');
        handlers = h;
        return { unsubscribe: () => undefined };
      },
    };
    const metrics = new CountingMetrics();
    const shard = new ShardSubscription({
      shard: 0,
      topic: 'heartbeat',
      topics,
      onMessage: () => undefined,
      onGap: () => (gaps += 1),
      logger: silentLogger,
      metrics,
      now: Date.now,
      watchdogMs: 10_000,
      subscribeTimeoutMs: 1000,
      initialBackoffMs: 20,
      maxBackoffMs: 40,
    });
    shard.start();
    for (let i = 0; i < 50 && !shard.subscribed; i += 1) await sleep(10);
    expect(shard.subscribed).toBe(true);
    expect(attempts).toBe(3);
    expect(shard.stats().lastError).toMatch(/^authentication/);
    handlers!.onConnectionLost!(); // the SDK lost the stream and reconnects by itself
    handlers!.onConnectionLost!();
    expect(metrics.get('SubscriberReconnects')).toBe(0);
    handlers!.onHeartbeat!(); // it is back
    expect(shard.stats().streamDrops).toBe(1);
    expect(metrics.get('SubscriberReconnects')).toBe(1);
    handlers!.onDiscontinuity!(10, 15); // messages 11-14 may be lost: look for expiries at once
    expect(gaps).toBe(1);
    expect(shard.stats().discontinuities).toBe(1);
    handlers!.onError!(new MomentoCallError('permission', 'revoked'));
    expect(shard.subscribed).toBe(false);
    for (let i = 0; i < 50 && !shard.subscribed; i += 1) await sleep(10);
    expect(shard.stats()).toMatchObject({ state: 'subscribed', subscribes: 2, resubscribes: 1, streamDrops: 1 });
    expect(metrics.get('SubscriberReconnects')).toBe(2);
    shard.stop();
    expect(shard.stats().state).toBe('stopped');
  });
});
