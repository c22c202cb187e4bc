import { TopicPublish } from '@gomomento/sdk';
import { createHandlerDependencies } from '../../lambda/core/runtime/handler-dependencies';
import { CountingMetrics } from '../lambda/core/support/counting-metrics';
import {
  startHeartbeatSubscriber,
  type HeartbeatSubscriber,
} from '../../lambda/heartbeat-subscriber/heartbeat-subscriber';
import { recordFigures } from './figures';
import { deviceTopicClient, observerTopicClient } from './harness/device-clients';
import { DeviceFleet, type FleetDevice } from './harness/device-fleet';
import { startLocalTracker, type LocalTracker } from './harness/local-tracker';

// The account of a heartbeat is the publisher's token id, stamped by Momento: a body naming
// another account changes nothing, and a device cannot refresh or stop another account's session
// (its key, bound to the account, session and device, proves none of the victim's).
let tracker: LocalTracker;
let subscriber: HeartbeatSubscriber;
let attacker: FleetDevice;
let victim: FleetDevice;

beforeAll(async () => {
  tracker = await startLocalTracker({ LEASE_SECONDS: '30' });
  subscriber = await startHeartbeatSubscriber(tracker.config, {
    ports: tracker.ports,
    metrics: new CountingMetrics(),
    options: { healthPort: false },
  });
  await subscriber.ready();
  const deps = createHandlerDependencies(tracker.config, tracker.ports);
  attacker = (await DeviceFleet.admit(tracker.emulator, deps, 1, 1, 'attacker')).devices[0];
  victim = (await DeviceFleet.admit(tracker.emulator, deps, 1, 1, 'victim')).devices[0];
});
afterAll(async () => {
  await subscriber?.stop();
  await tracker?.stop();
});

async function publishAs(
  token: string | undefined,
  grant: FleetDevice['grant'],
  body: Record<string, unknown>,
): Promise<void> {
  const client = token ? deviceTopicClient(tracker.emulator, token) : observerTopicClient(tracker.emulator);
  const received = subscriber.stats().messages.received;
  const response = await client.publish(grant.cacheName, grant.heartbeatTopic, JSON.stringify({ v: 1, ...body }));
  expect(response).toBeInstanceOf(TopicPublish.Success);
  // A wait, not a measure: it ends as soon as the subscriber has taken the message in.
  const deadline = Date.now() + 30_000;
  while (subscriber.stats().messages.received === received && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 10));
  // Wait for the engine's answer too (processing is asynchronous after receipt).
  while (subscriber.stats().inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

let victimChanges = 0;
/** Counts a change to the victim before asserting, so the figure is measured, not assumed. */
function noteVictim<T>(actual: T, expected: T): T {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) victimChanges += 1;
  return actual;
}

/** Rejected anywhere: before the engine (token id, schema, session key) or by it (foreign session). */
const rejectedSoFar = () => subscriber.stats().messages.rejected + subscriber.stats().messages.outcomes.rejected;

const victimSessions = async () =>
  (await tracker.engine.listSessions(victim.accountId)).sessions.map((s) => s.sessionId);

describe('spoofed heartbeats count for the token’s own account only', () => {
  it('a stop for another account’s session, with that account in the body, is rejected and the session stays', async () => {
    const before = rejectedSoFar();
    // The attacker publishes on its own shard (its token allows nothing else) naming the victim.
    await publishAs(attacker.grant.token, attacker.grant, {
      type: 'stop',
      sessionId: victim.grant.sessionId,
      deviceId: victim.deviceId,
      sessionKey: attacker.grant.sessionKey,
      accountId: victim.accountId,
    });
    expect(rejectedSoFar()).toBe(before + 1);
    expect(noteVictim(await victimSessions(), [victim.grant.sessionId])).toEqual([victim.grant.sessionId]);
  });

  it('a heartbeat whose body names another account refreshes the publisher’s own session, nothing of the other', async () => {
    const victimBefore = (await tracker.engine.listSessions(victim.accountId)).sessions[0];
    const refreshed = subscriber.stats().messages.outcomes.refreshed;
    await publishAs(attacker.grant.token, attacker.grant, {
      type: 'heartbeat',
      sessionId: attacker.grant.sessionId,
      deviceId: attacker.deviceId,
      sessionKey: attacker.grant.sessionKey,
      accountId: victim.accountId,
    });
    expect(subscriber.stats().messages.outcomes.refreshed).toBe(refreshed + 1);
    const attackerView = await tracker.engine.listSessions(attacker.accountId);
    expect(attackerView.sessions.map((s) => s.sessionId)).toEqual([attacker.grant.sessionId]);
    expect(
      (await tracker.engine.checkSession(attacker.accountId, attacker.grant.sessionId))?.lastHeartbeatAt,
    ).toBeDefined();
    expect(noteVictim((await tracker.engine.listSessions(victim.accountId)).sessions, [victimBefore])).toEqual([
      victimBefore,
    ]);
  });

  it('a heartbeat for another account’s session is rejected and does not refresh it', async () => {
    const victimBefore = (await tracker.engine.listSessions(victim.accountId)).sessions[0];
    const before = rejectedSoFar();
    await publishAs(attacker.grant.token, attacker.grant, {
      type: 'heartbeat',
      sessionId: victim.grant.sessionId,
      deviceId: victim.deviceId,
      sessionKey: attacker.grant.sessionKey,
    });
    expect(rejectedSoFar()).toBe(before + 1);
    expect(noteVictim((await tracker.engine.listSessions(victim.accountId)).sessions, [victimBefore])).toEqual([
      victimBefore,
    ]);
  });

  it('a message without a token id (not a device token) is rejected', async () => {
    const before = subscriber.stats().messages.rejected;
    await publishAs(undefined, victim.grant, {
      type: 'stop',
      sessionId: victim.grant.sessionId,
      deviceId: victim.deviceId,
      sessionKey: victim.grant.sessionKey,
      accountId: victim.accountId,
    });
    expect(subscriber.stats().messages.rejected).toBe(before + 1);
    expect(noteVictim(await victimSessions(), [victim.grant.sessionId])).toEqual([victim.grant.sessionId]);
  });

  it('the victim’s own stop still works (the checks above could have failed)', async () => {
    await publishAs(victim.grant.token, victim.grant, {
      type: 'stop',
      sessionId: victim.grant.sessionId,
      deviceId: victim.deviceId,
      sessionKey: victim.grant.sessionKey,
    });
    expect(await victimSessions()).toEqual([]);
    const stats = subscriber.stats().messages;
    recordFigures({
      id: 'heartbeat-spoofing',
      promise:
        'A heartbeat counts for the publisher’s token id only: a body naming another account changes nothing, and another account’s session can be neither refreshed nor stopped.',
      test: 'test/reliability/heartbeat-spoofing.test.ts',
      figures: {
        'spoofed messages sent': 4,
        'rejected by the engine (foreign session)': stats.outcomes.rejected,
        'rejected before the engine (no token id, or a key that proves another session)': stats.rejected,
        'victim sessions changed by an attacker': victimChanges,
      },
    });
  });
});
