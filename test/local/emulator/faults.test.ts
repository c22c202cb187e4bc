import * as net from 'node:net';
import { status } from '@grpc/grpc-js';
import { CacheGet, CacheSet, MomentoErrorCode, TopicPublish } from '@gomomento/sdk';
import {
  cacheClient,
  codeOf,
  localCredentials,
  record,
  topicClient,
  useEmulator,
  waitFor,
} from './support/emulator-session';

const CACHE = 'faults-cache';
const session = useEmulator(CACHE);

afterEach(() => session.emulator.faults.clear());

/** Whether a TCP connection to `port` stays open (for 150 ms) or is reset. */
function connectionOutcome(port: number): Promise<'open' | 'reset'> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('open');
    }, 150);
    const reset = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve('reset');
    };
    socket.on('error', reset);
    socket.on('close', reset);
  });
}

const timed = async <T>(work: () => Promise<T>): Promise<[T, number]> => {
  const started = Date.now();
  const result = await work();
  return [result, Date.now() - started];
};

describe('fault injection', () => {
  it('failNext fails exactly the next n calls of a kind, then lets calls through', async () => {
    const topics = topicClient(localCredentials(session.emulator));
    const cache = await cacheClient(localCredentials(session.emulator));
    session.emulator.faults.failNext('publish', 2);
    expect(codeOf(await topics.publish(CACHE, 't', 'a'))).toBe(MomentoErrorCode.SERVER_UNAVAILABLE);
    // Another kind is not affected.
    expect(await cache.set(CACHE, 'k', 'v')).toBeInstanceOf(CacheSet.Success);
    expect(codeOf(await topics.publish(CACHE, 't', 'b'))).toBe(MomentoErrorCode.SERVER_UNAVAILABLE);
    expect(await topics.publish(CACHE, 't', 'c')).toBeInstanceOf(TopicPublish.Success);

    session.emulator.faults.failNext('cache-read', 1, status.PERMISSION_DENIED);
    expect(codeOf(await cache.get(CACHE, 'k'))).toBe(MomentoErrorCode.PERMISSION_ERROR);
    expect(await cache.get(CACHE, 'k')).toBeInstanceOf(CacheGet.Hit);

    session.emulator.faults.failNext('*', 1, status.INVALID_ARGUMENT);
    expect(codeOf(await cache.set(CACHE, 'k', 'v'))).toBe(MomentoErrorCode.INVALID_ARGUMENT_ERROR);
    expect(await cache.set(CACHE, 'k', 'v')).toBeInstanceOf(CacheSet.Success);
    cache.close();
  });

  it('an UNAVAILABLE read is retried by the SDK and succeeds', async () => {
    const { emulator } = session;
    const cache = await cacheClient(localCredentials(emulator));
    await cache.set(CACHE, 'retried', 'v');
    const before = emulator.stats().calls.Get ?? 0;
    emulator.faults.failNext('cache-read', 1);
    expect(await cache.get(CACHE, 'retried')).toBeInstanceOf(CacheGet.Hit);
    expect((emulator.stats().calls.Get ?? 0) - before).toBe(2);
    cache.close();
  });

  it('failShare fails about the given share of calls', async () => {
    const cache = await cacheClient(localCredentials(session.emulator));
    session.emulator.faults.failShare('cache-write', 0.5, status.FAILED_PRECONDITION);
    let failed = 0;
    const total = 200;
    for (let i = 0; i < total; i += 1) {
      if (!((await cache.set(CACHE, `share-${i}`, 'v')) instanceof CacheSet.Success)) failed += 1;
    }
    expect(failed / total).toBeGreaterThan(0.35);
    expect(failed / total).toBeLessThan(0.65);
    // Reads are another kind.
    expect(await cache.get(CACHE, 'share-0')).not.toHaveProperty('errorCode');
    session.emulator.faults.clear();
    for (let i = 0; i < 20; i += 1) expect(await cache.set(CACHE, `after-${i}`, 'v')).toBeInstanceOf(CacheSet.Success);
    cache.close();
  });

  it('addLatency delays calls of its kind, by a fixed time or within a range', async () => {
    const cache = await cacheClient(localCredentials(session.emulator));
    await cache.set(CACHE, 'slow', 'v');
    // Delays long enough that an undelayed call stays clearly below them on a loaded machine: the
    // upper bounds tell "delayed" from "not delayed", they do not time the machine.
    session.emulator.faults.addLatency('cache-read', 1500);
    const [hit, readMs] = await timed(() => cache.get(CACHE, 'slow'));
    expect(hit).toBeInstanceOf(CacheGet.Hit);
    expect(readMs).toBeGreaterThanOrEqual(1490);
    const [, writeMs] = await timed(() => cache.set(CACHE, 'fast', 'v'));
    expect(writeMs).toBeLessThan(1000);

    session.emulator.faults.clear();
    session.emulator.faults.addLatency('*', { minMs: 600, maxMs: 800 });
    const [, rangedMs] = await timed(() => cache.set(CACHE, 'ranged', 'v'));
    expect(rangedMs).toBeGreaterThanOrEqual(590);
    expect(rangedMs).toBeLessThan(1500);
    session.emulator.faults.clear();
    const [, clearedMs] = await timed(() => cache.get(CACHE, 'slow'));
    expect(clearedMs).toBeLessThan(1000);
    cache.close();
  });

  it('refuseConnections resets open connections, refuses new ones, and recovers by itself', async () => {
    const { emulator } = session;
    const publisher = topicClient(localCredentials(emulator));
    const cache = await cacheClient(localCredentials(emulator));
    const subscriber = await record(topicClient(localCredentials(emulator)), CACHE, 'through-outage');
    await publisher.publish(CACHE, 'through-outage', 'before');
    await waitFor(() => subscriber.items.length === 1, 15_000, 'the first item');

    emulator.faults.refuseConnections(1000);
    expect(emulator.faults.isRefusingConnections()).toBe(true);
    // New TCP connections are reset at once, on both ports; SDK calls fail meanwhile.
    expect(await connectionOutcome(emulator.port)).toBe('reset');
    expect(await connectionOutcome(Number(new URL(emulator.httpUrl).port))).toBe('reset');
    expect([MomentoErrorCode.SERVER_UNAVAILABLE, MomentoErrorCode.TIMEOUT_ERROR]).toContain(
      codeOf(await cache.get(CACHE, 'x')),
    );
    await waitFor(() => subscriber.connectionLosses >= 1, 15_000, 'the subscriber to notice');

    await waitFor(() => !emulator.faults.isRefusingConnections(), 15_000, 'the outage to end');
    expect(await connectionOutcome(emulator.port)).toBe('open');
    // After the outage the subscription resumes by itself and the clients work again.
    await waitFor(() => emulator.stats().openSubscriptions >= 1, 15000, 'the SDK to resubscribe');
    await publisher.publish(CACHE, 'through-outage', 'after');
    await waitFor(() => subscriber.items.length === 2, 15000, 'the item after the outage');
    expect(subscriber.items.map((item) => item.value())).toEqual(['before', 'after']);
    expect(await cache.set(CACHE, 'x', 'v')).toBeInstanceOf(CacheSet.Success);
    expect((await fetch(`${emulator.httpUrl}/topics/${CACHE}/t`, { method: 'OPTIONS' })).status).toBe(204);
    subscriber.subscription.unsubscribe();
    cache.close();
  }, 40_000);

  it('clear() ends a connection refusal early and removes every rule', async () => {
    const { emulator } = session;
    emulator.faults.refuseConnections(60_000);
    emulator.faults.failShare('*', 1);
    emulator.faults.addLatency('*', 5000);
    emulator.faults.clear();
    expect(emulator.faults.isRefusingConnections()).toBe(false);
    const cache = await cacheClient(localCredentials(emulator));
    const [result, ms] = await timed(() => cache.set(CACHE, 'restored', 'v'));
    expect(result).toBeInstanceOf(CacheSet.Success);
    // Not delayed by the 5 s latency it cleared (a generous bound, not a speed test).
    expect(ms).toBeLessThan(2500);
    cache.close();
  });

  it('rejects invalid fault settings with a clear error', () => {
    const { faults } = session.emulator;
    expect(() => faults.failShare('publish', 1.5)).toThrow();
    expect(() => faults.failNext('publish', 0)).toThrow();
    expect(() => faults.addLatency('publish', { minMs: 10, maxMs: 5 })).toThrow(/minMs/);
    expect(() => faults.failNext('everything' as never, 1)).toThrow();
  });
});
