import * as net from 'node:net';
import { CacheGet, CredentialProvider, ListCaches } from '@gomomento/sdk';
import { startEmulator } from '../../../local/emulator';
import { cacheClient, localCredentials, record, topicClient, waitFor } from './support/emulator-session';
import { runEmulatorToEnd, spawnEmulator } from './support/emulator-process';

const portIsClosed = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });

describe('starting and stopping', () => {
  it('starts on free ports and reports its addresses', async () => {
    const emulator = await startEmulator({ caches: ['seeded'] });
    try {
      expect(emulator.port).toBeGreaterThan(0);
      expect(emulator.address).toBe(`127.0.0.1:${emulator.port}`);
      expect(emulator.httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(emulator.store.hasCache('seeded')).toBe(true);
    } finally {
      await emulator.stop();
    }
  });

  it('stop() closes open subscriptions and long polls promptly, and frees the ports', async () => {
    const emulator = await startEmulator({ caches: ['c'] });
    const subscribers = await Promise.all(
      [1, 2, 3].map(() => record(topicClient(localCredentials(emulator)), 'c', 't')),
    );
    const token = emulator.createApiKey();
    const poll = fetch(`${emulator.httpUrl}/topics/c/t`, { headers: { Authorization: token } }).then(
      (response) => response.status,
      () => 'closed',
    );
    const cache = await cacheClient(localCredentials(emulator));
    expect(await cache.get('c', 'k')).toBeInstanceOf(CacheGet.Miss);
    await waitFor(() => emulator.stats().openSubscriptions === 4, 15_000, 'all subscriptions');

    // Promptly: well inside the 30 s the pending long poll would otherwise wait (a stop that waited
    // for the gRPC subscriptions would not return at all).
    const started = Date.now();
    await emulator.stop();
    expect(Date.now() - started).toBeLessThan(10_000);
    await emulator.stop(); // a second stop is harmless
    // A pending long poll is answered 503 (or its connection closed) rather than left hanging.
    expect([503, 'closed']).toContain(await poll);
    expect(await portIsClosed(emulator.port)).toBe(true);
    expect(await portIsClosed(Number(new URL(emulator.httpUrl).port))).toBe(true);
    for (const subscriber of subscribers) subscriber.subscription.unsubscribe();
    cache.close();
  });

  it('the CLI prints a listening line, creates the caches it is asked to, and stops on SIGTERM', async () => {
    const running = await spawnEmulator(['--port', '0', '--cache', 'from-cli']);
    try {
      expect(running.readyLine).toContain('listening');
      const cache = await cacheClient(
        CredentialProvider.forMomentoLocal({ hostname: running.hostname, port: running.port }),
      );
      const listed = await cache.listCaches();
      expect(listed).toBeInstanceOf(ListCaches.Success);
      expect((listed as ListCaches.Success).getCaches().map((c) => c.getName())).toEqual(['from-cli']);
      cache.close();
    } finally {
      const started = Date.now();
      expect(await running.terminate()).toBe(0);
      // Exits on SIGTERM rather than waiting to be killed (a generous bound, not a speed test).
      expect(Date.now() - started).toBeLessThan(20_000);
    }
  }, 60_000);

  it('the CLI refuses unknown options with a message and exit code 1', async () => {
    const result = await runEmulatorToEnd(['--prot', '9090']);
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/unknown option --prot/);
  }, 60_000);
});
