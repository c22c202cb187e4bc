import type { ConcurrencyEngine, DeviceMessageOutcome } from '../../../lambda/core/engine/engine-types';
import type { HeartbeatMessage } from '../../../lambda/core/messages/heartbeat-message';
import { CountingMetrics } from '../core/support/counting-metrics';
import type { EngineLogger } from '../../../lambda/core/ports/observability';
import { SessionKeys } from '../../../lambda/core/messages/session-key';
import { DeviceMessageProcessor } from '../../../lambda/heartbeat-subscriber/device-message-processor';

// One account floods the shared heartbeat topic with messages its valid device token may publish:
// heartbeats for many sessions it was issued keys for (sessions it started and stopped), far more
// than the subscriber can work off. The subscriber's throughput is the engine's; whatever it is,
// another account's heartbeat must still be worked on soon after it arrives, never shed, so its
// lease cannot lapse because of someone else's flood.

const keys = new SessionKeys('fairness-test-secret-of-thirty-two-bytes!');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function heartbeat(accountId: string, sessionId: string, deviceId: string) {
  const body = {
    v: 1,
    type: 'heartbeat',
    sessionId,
    deviceId,
    sessionKey: keys.derive({ accountId, sessionId, deviceId }),
  };
  return { value: JSON.stringify(body), tokenId: accountId, sequenceNumber: 1 };
}

/** An engine that takes a little while per message, like a Momento round trip, and records the order. */
function slowEngine(outcome: (accountId: string, m: HeartbeatMessage) => DeviceMessageOutcome = () => 'refreshed') {
  const handled: string[] = [];
  const engine = {
    handleDeviceMessage: async (accountId: string, m: HeartbeatMessage): Promise<DeviceMessageOutcome> => {
      await sleep(1);
      handled.push(`${accountId}:${m.sessionId}`);
      return outcome(accountId, m);
    },
  } as unknown as ConcurrencyEngine;
  return { engine, handled };
}

function recordingLogger() {
  const lines: { message: string; fields?: Record<string, unknown> }[] = [];
  const record = (message: string, fields?: Record<string, unknown>) => lines.push({ message, fields });
  const logger: EngineLogger = { debug: record, info: record, warn: record, error: record };
  return { logger, lines };
}

describe('DeviceMessageProcessor under one account’s flood', () => {
  it('works on another account’s heartbeat right after the one in progress, and never sheds it', async () => {
    const { engine, handled } = slowEngine();
    const metrics = new CountingMetrics();
    const { logger, lines } = recordingLogger();
    // The production defaults: 128 in flight, 10 000 waiting.
    const processor = new DeviceMessageProcessor(engine, metrics, logger, 128, 10_000, { sessionKeys: keys });
    for (let n = 0; n < 20_000; n += 1) processor.submit(heartbeat('flooder', `made-up-${n}`, 'bot'));
    processor.submit(heartbeat('victim', 'victim-session', 'tv'));
    await processor.drain();

    const victimAt = handled.indexOf('victim:victim-session');
    expect(victimAt).toBeGreaterThanOrEqual(0); // not shed
    // Fair turns: behind at most the messages already in flight and one turn of the flooder.
    expect(victimAt).toBeLessThanOrEqual(128 + 1);
    expect(processor.stats().throttled).toBeGreaterThan(0);
    expect(metrics.get('HeartbeatsThrottled')).toBe(processor.stats().throttled);
    // The log names the account, so an operator can find it from the alarm.
    expect(lines.some((line) => line.fields?.accountId === 'flooder' && /throttled/.test(line.message))).toBe(true);
    expect(lines.some((line) => line.fields?.accountId === 'victim')).toBe(false);
  });

  it('queues fairly and sheds from the flooder, with the other per-account bounds lifted', async () => {
    const { engine, handled } = slowEngine();
    const metrics = new CountingMetrics();
    const processor = new DeviceMessageProcessor(engine, metrics, recordingLogger().logger, 128, 10_000, {
      sessionKeys: keys,
      maxQueuedPerAccount: Number.MAX_SAFE_INTEGER,
      unknownSessionBurst: Number.MAX_SAFE_INTEGER,
    });
    for (let n = 0; n < 20_000; n += 1) processor.submit(heartbeat('flooder', `s-${n}`, 'bot'));
    expect(processor.stats().shed).toBeGreaterThan(0); // the shared queue is full
    processor.submit(heartbeat('victim', 'victim-session', 'tv'));
    await processor.drain();
    const victimAt = handled.indexOf('victim:victim-session');
    expect(victimAt).toBeGreaterThanOrEqual(0);
    expect(victimAt).toBeLessThanOrEqual(128 + 1);
  });

  it('caps the work spent on one account’s sessions that are over, while its live sessions go on', async () => {
    const dead = new Set<string>();
    const { engine, handled } = slowEngine((_a, m) => (dead.has(m.sessionId) ? 'already-ended' : 'refreshed'));
    const metrics = new CountingMetrics();
    const processor = new DeviceMessageProcessor(engine, metrics, recordingLogger().logger, 4, 10_000, {
      sessionKeys: keys,
    });
    for (let n = 0; n < 2000; n += 1) dead.add(`ended-${n}`);
    // Its live session first, so the processor knows it is live.
    processor.submit(heartbeat('flooder', 'live', 'tv'));
    await processor.drain();
    for (let n = 0; n < 2000; n += 1) processor.submit(heartbeat('flooder', `ended-${n}`, 'bot'));
    processor.submit(heartbeat('flooder', 'live', 'tv'));
    await processor.drain();

    const deadWorked = handled.filter((entry) => entry.startsWith('flooder:ended-')).length;
    expect(deadWorked).toBeLessThan(200); // each would cost a cache read and a control message
    expect(handled.filter((entry) => entry === 'flooder:live')).toHaveLength(2);
    expect(metrics.get('HeartbeatsThrottled')).toBe(2000 - deadWorked);
  });
});
