import { status } from '@grpc/grpc-js';
import { sleep, TrackerHarness, waitFor } from './support/tracker-harness';

// Attacks of issue 11 played through the handlers, the real SDK and the subscriber.

describe('the tracker against the emulator: attacks on the limit', () => {
  let harness: TrackerHarness;

  beforeAll(async () => {
    harness = await TrackerHarness.start();
    await harness.subscriber();
  });
  afterAll(() => harness.stop());
  afterEach(() => harness.emulator.faults.clear());

  it('one device id on two screens: the first is told at once and only the newer one is counted (item 1)', async () => {
    const api = harness.api({ DEFAULT_LIMIT: '1' });
    const first = await api.admit('shared-acc', { deviceId: 'living-room-tv' });
    const firstScreen = await harness.device(first, 'living-room-tv');
    firstScreen.startHeartbeats();
    const second = await api.admit('shared-acc', { deviceId: 'living-room-tv' }); // the copied device id, no sessionId
    const admittedAt = Date.now();
    const told = await waitFor(
      () => firstScreen.control.find((m) => m.sessionId === first.sessionId),
      5000,
      'the first screen to be told',
    );
    // Published during the admission, before its 201; what is measured includes the topic's delivery.
    expect(Date.now() - admittedAt).toBeLessThan(1000);
    expect(told).toEqual({ v: 1, type: 'evicted', sessionId: first.sessionId, reason: 'replaced' });
    expect(second.sessionId).not.toBe(first.sessionId);
    const secondScreen = await harness.device(second, 'living-room-tv');
    secondScreen.startHeartbeats();
    expect(harness.events.ofType('Session Evicted').map((e) => e.detail)).toContainEqual(
      expect.objectContaining({ sessionId: first.sessionId, reason: 'replaced' }),
    );
    // The first screen heartbeats on (a client that ignores the message): it never counts again.
    await sleep(1500);
    const view = await api.sessions('shared-acc');
    expect(view).toMatchObject({ active: 1 });
    expect(view.sessions.map((s) => s.sessionId)).toEqual([second.sessionId]);
    expect((await api.checkSession('shared-acc', first.sessionId)).statusCode).toBe(404);
  });

  it('FAILURE_MODE=open does not admit when Momento refuses the key (item 9)', async () => {
    const api = harness.api({ FAILURE_MODE: 'open' });
    await api.admit('fail-open-acc', { deviceId: 'warm' }); // connected first
    harness.emulator.faults.failShare('*', 1, status.PERMISSION_DENIED);
    const refused = await api.startSession('fail-open-acc', { deviceId: 'tv' });
    expect(refused.statusCode).toBe(503);
    expect(JSON.parse(refused.body)).toMatchObject({ error: 'momento-unavailable' });
    harness.emulator.faults.clear();
    harness.emulator.faults.failShare('*', 1, status.UNAVAILABLE);
    const degraded = await api.startSession('fail-open-acc', { deviceId: 'tv' });
    expect(degraded.statusCode).toBe(201);
    expect(JSON.parse(degraded.body)).toMatchObject({ degraded: true });
  });
});
