import type { DeviceSessionEvents, TrackedSession } from '../../client/device-session-events';
import { FakeDeviceSession } from '../../client/testing';
import { TopicTransportError } from '../../client/topic-transport';
import { FakeTopicTransport } from './fake-topic-transport';
import { granted, refused, tokenBackend, unavailable, type Answer } from './fake-token-backend';
import { useFakeClock } from './support/fake-clock';
import { sessionOnFakes } from './support/session-on-fakes';

// The fake is only worth using if it tells the same story as the real session: each scenario is
// played on a real DeviceSession (fake backend and transport, fake clock) and on a FakeDeviceSession,
// and both must emit the same events, in the same order, with payloads of the same shape.

const EVENT_NAMES: readonly (keyof DeviceSessionEvents)[] = [
  'state',
  'active',
  'refused',
  'evicted',
  'expired',
  'stopped',
  'start-failed',
  'reconnecting',
  'reconnected',
  'limit-changed',
  'heartbeat',
  'heartbeat-failed',
  'token-refreshed',
  'refresh-failed',
  'error',
];

/** Every event as its name, the state it moved to (for `state`), and the keys of its payload. */
function record(session: TrackedSession): string[] {
  const seen: string[] = [];
  for (const name of EVENT_NAMES) {
    session.on(name, (payload: unknown) => {
      const keys = payload instanceof Error ? ['code', 'retryable'] : Object.keys(payload as object).sort();
      const state = name === 'state' ? `:${(payload as { state: string }).state}` : '';
      seen.push(`${name}${state} {${keys.join(',')}}`);
    });
  }
  return seen;
}

function realSession(...answers: Answer[]) {
  const transport = new FakeTopicTransport();
  const { session } = sessionOnFakes(tokenBackend(...answers), transport);
  return { session, transport, events: record(session) };
}

function fakeSession(options?: ConstructorParameters<typeof FakeDeviceSession>[0]) {
  const session = new FakeDeviceSession(options);
  return { session, events: record(session) };
}

useFakeClock('2026-11-25T12:00:00.000Z');

describe('FakeDeviceSession tells the same story as DeviceSession', () => {
  it('admission, first heartbeat, stop', async () => {
    const real = realSession(granted({ leaseSeconds: 15 }));
    await real.session.start();
    await jest.advanceTimersByTimeAsync(0);
    await real.session.stop();

    const fake = fakeSession();
    await fake.session.start();
    await fake.session.stop();

    expect(fake.events).toEqual(real.events);
    expect(fake.session.state).toBe(real.session.state);
    expect(fake.session.stoppedReason).toBe('user');
  });

  it('refusal at the limit', async () => {
    const real = realSession({ ...refused, body: { ...(refused.body as object), limit: 2 } });
    const realResult = await real.session.start();

    const fake = fakeSession({ onStart: 'refuse' });
    const fakeResult = await fake.session.start();

    expect(fake.events).toEqual(real.events);
    expect(fakeResult.state).toBe(realResult.state);
    expect(fake.session.refusal?.sessions.length).toBeGreaterThan(0);
  });

  it('a failed start', async () => {
    const real = realSession(unavailable());
    await real.session.start();

    const fake = fakeSession({ onStart: 'fail' });
    const fakeResult = await fake.session.start();

    expect(fake.events).toEqual(real.events);
    expect(fakeResult).toMatchObject({
      state: 'error',
      error: { code: real.session.error?.code, retryable: real.session.error?.retryable },
    });
  });

  it('eviction, expiry and a limit change on the control topic', async () => {
    for (const [type, reason] of [
      ['evicted', 'evicted-by-newer-session'],
      ['expired', 'max-duration'],
    ] as const) {
      const real = realSession(granted({ leaseSeconds: 15 }));
      await real.session.start();
      await jest.advanceTimersByTimeAsync(0);
      real.transport.lastSubscription.deliver({ v: 1, type: 'limit-changed', sessionId: '', reason: 'limit-changed' });
      real.transport.lastSubscription.deliver({ v: 1, type, sessionId: real.session.sessionId, reason });

      const fake = fakeSession();
      await fake.session.start();
      fake.session.changeLimit();
      if (type === 'evicted') fake.session.evict(reason);
      else fake.session.expire(reason);

      expect(fake.events).toEqual(real.events);
      expect(fake.session.state).toBe(type);
    }
  });

  it('heartbeats failing and coming back', async () => {
    const real = realSession(granted({ leaseSeconds: 60 }));
    await real.session.start();
    await jest.advanceTimersByTimeAsync(0);
    real.transport.nextPublishOutcomes.push(new TopicTransportError('transient', 'network down'));
    await jest.advanceTimersByTimeAsync(5_000); // the second heartbeat fails
    await jest.advanceTimersByTimeAsync(1_000); // its retry gets through

    const fake = fakeSession();
    await fake.session.start();
    fake.session.loseConnection();
    fake.session.restoreConnection();

    expect(fake.events).toEqual(real.events);
    expect(real.events).toContain('reconnected {downMs,failedAttempts}');
  });

  it('the connection lost for longer than the lease', async () => {
    const real = realSession(granted({ leaseSeconds: 15 }));
    await real.session.start();
    await jest.advanceTimersByTimeAsync(0);
    const events = real.events.length;
    const publish = real.transport.publish.bind(real.transport);
    real.transport.publish = async (address, message) => {
      if (JSON.parse(message).type === 'heartbeat') throw new TopicTransportError('transient', 'heartbeats blocked');
      return publish(address, message); // the stop gets through
    };
    await jest.advanceTimersByTimeAsync(20_000);
    const realEnd = real.events
      .slice(events)
      .filter((event) => !event.startsWith('heartbeat-failed') && !event.startsWith('reconnecting'));

    const fake = fakeSession();
    await fake.session.start();
    const fakeEvents = fake.events.length;
    fake.session.expire('connection-lost');
    await jest.advanceTimersByTimeAsync(0);

    expect(fake.events.slice(fakeEvents)).toEqual(realEnd);
    expect(realEnd).toContain('heartbeat {at,type}');
  });
});

describe('FakeDeviceSession as a test tool', () => {
  it('waits to be answered when told to, and counts start() and stop()', async () => {
    const fake = new FakeDeviceSession({ onStart: 'wait', grant: { limit: 3 } });
    const result = fake.start();
    expect(fake.state).toBe('starting');
    expect(fake.start()).toBe(result);
    const grant = fake.admit();
    await expect(result).resolves.toEqual({ state: 'active', grant });
    expect(grant.limit).toBe(3);
    expect(fake.startCalls).toBe(2);
    await fake.stop();
    expect(fake.stopCalls).toBe(1);
  });

  it('refuses a story the real session could not tell', () => {
    const fake = new FakeDeviceSession();
    expect(() => fake.evict()).toThrow('evict() needs the session active, it is idle');
    expect(() => fake.admit()).toThrow('admit() needs the session starting');
  });
});
