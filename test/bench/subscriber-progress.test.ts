import { CountingMetrics } from '../lambda/core/support/counting-metrics';
import { silentLogger } from '../../lambda/core/ports/observability';
import { SessionKeys } from '../../lambda/core/messages/session-key';
import { DeviceMessageProcessor } from '../../lambda/heartbeat-subscriber/device-message-processor';
import { finishedMessages } from '../../bench/subscriber-process';
import { gatedEngine } from '../lambda/heartbeat-subscriber/support/gated-engine';
import { heartbeatItem } from '../lambda/heartbeat-subscriber/support/heartbeat-item';

// The benchmark judged a subscriber "kept up" when the messages it finished reached those it was
// sent. Heartbeats replaced while waiting (coalesced) and per-account drops (throttled) are
// finished too: left out, a subscriber that fell behind once looked stalled for good, with
// thousands "queued", no errors and an idle CPU.
const sessionKeys = new SessionKeys('subscriber-progress-secret-of-32-chars!');

it('counts every message the subscriber is done with, coalesced and throttled ones included', async () => {
  const { engine, release } = gatedEngine();
  const processor = new DeviceMessageProcessor(engine, new CountingMetrics(), silentLogger, 1, 100, {
    sessionKeys,
    maxQueuedPerAccount: 2,
  });
  const send = (accountId: string, sessionId: string) =>
    processor.submit(heartbeatItem(sessionKeys, accountId, sessionId));
  send('acc', 'busy'); // holds the only worker
  for (let i = 0; i < 50; i += 1) send('acc', 's1'); // one waits, 49 coalesce into it
  send('acc', 's2');
  send('acc', 's3'); // the account's queue is full (2): throttled
  release();
  await processor.drain();
  const stats = { messages: processor.stats(), inFlight: processor.inFlight };
  expect(stats.messages).toMatchObject({ received: 53, coalesced: 49, throttled: 1 });
  expect(stats.inFlight).toBe(0);
  expect(finishedMessages(stats)).toBe(stats.messages.received);
});
