import { DeviceSession } from '../../client/device-session';
import type { DeviceSessionLogger } from '../../client/session-logger';
import { TopicTransportError } from '../../client/topic-transport';
import { FakeTopicTransport } from './fake-topic-transport';
import { granted, tokenBackend } from './fake-token-backend';
import { useFakeClock } from './support/fake-clock';
import { sessionOnFakes } from './support/session-on-fakes';

useFakeClock('2026-11-25T12:00:00.000Z');

afterEach(() => {
  jest.restoreAllMocks();
});

function consoleSpies() {
  return (['log', 'info', 'debug', 'warn', 'error'] as const).map((method) =>
    jest.spyOn(console, method).mockImplementation(() => undefined),
  );
}

function recordingLogger() {
  const lines: { level: 'debug' | 'warn'; message: string; details?: Record<string, unknown> }[] = [];
  const logger: DeviceSessionLogger = {
    debug: (message, details) => lines.push({ level: 'debug', message, ...(details && { details }) }),
    warn: (message, details) => lines.push({ level: 'warn', message, ...(details && { details }) }),
  };
  return { logger, lines };
}

describe('DeviceSession logging', () => {
  it('writes nothing to the console by default, through a whole session with failures', async () => {
    const spies = consoleSpies();
    const transport = new FakeTopicTransport();
    const { session } = sessionOnFakes(tokenBackend(granted()), transport);
    await session.start();
    transport.nextPublishOutcomes.push(new TopicTransportError('transient', 'network down'));
    await jest.advanceTimersByTimeAsync(10_000);
    await session.stop();
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
  });

  it('gives the logger every event and state change, without the token or the session key', async () => {
    const { logger, lines } = recordingLogger();
    const transport = new FakeTopicTransport();
    const { session } = sessionOnFakes(tokenBackend(granted()), transport, { logger });
    await session.start();
    await jest.advanceTimersByTimeAsync(0);
    await session.stop();

    const messages = lines.map((line) => line.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        'event state',
        'event active',
        'event heartbeat',
        'event stopped',
        'token refresh planned',
      ]),
    );
    const active = lines.find((line) => line.message === 'event active');
    expect(active?.details).toMatchObject({ sessionId: 'session-1' });
    const logged = JSON.stringify(lines);
    expect(logged).not.toContain(session.grant!.token);
    expect(logged).not.toContain('key-of-session-1');
  });

  it('warns before the session ends on its own (a refused heartbeat topic)', async () => {
    const { logger, lines } = recordingLogger();
    const transport = new FakeTopicTransport();
    transport.nextPublishOutcomes.push(new TopicTransportError('forbidden', 'not allowed'));
    const { session } = sessionOnFakes(tokenBackend(granted()), transport, { logger });
    await session.start();
    await jest.advanceTimersByTimeAsync(0);
    expect(session.state).toBe('error');
    expect(lines.filter((line) => line.level === 'warn').map((line) => line.message)).toEqual([
      expect.stringContaining('session error heartbeat-failed'),
    ]);
  });

  it('writes to console.debug with debug: true', async () => {
    const debug = jest.spyOn(console, 'debug').mockImplementation(() => undefined);
    const { session } = sessionOnFakes(tokenBackend(granted()), new FakeTopicTransport(), { debug: true });
    await session.start();
    await session.stop();
    expect(debug).toHaveBeenCalledWith(
      '[device-session] event active',
      expect.objectContaining({ sessionId: 'session-1' }),
    );
  });

  it('rejects a logger without debug() and warn()', () => {
    expect(
      () =>
        new DeviceSession({
          deviceId: 'phone-1',
          requestToken: tokenBackend().requestToken,
          transport: new FakeTopicTransport(),
          logger: { debug: () => undefined } as unknown as DeviceSessionLogger,
        }),
    ).toThrow('logger must have debug() and warn()');
  });
});

describe('DeviceSession parts end with the session', () => {
  it('leaves no timer behind once it ends: no heartbeat, refresh or lease check after a stop', async () => {
    const backend = tokenBackend(granted());
    const transport = new FakeTopicTransport();
    const { session } = sessionOnFakes(backend, transport);
    await session.start();
    await jest.advanceTimersByTimeAsync(0);
    await session.stop();
    expect(jest.getTimerCount()).toBe(0);
    const published = transport.published.length;
    await jest.advanceTimersByTimeAsync(24 * 3600_000);
    expect(transport.published).toHaveLength(published);
    expect(backend.requestToken).toHaveBeenCalledTimes(1);
    expect(transport.lastSubscription.closed).toBe(true);
  });
});
