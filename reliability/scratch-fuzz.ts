import { TopicPublish } from '@gomomento/sdk';
import { createHandlerDependencies } from '../lambda/core/handler-dependencies';
import { CountingMetrics } from '../lambda/core/observability-ports';
import { startHeartbeatSubscriber } from '../lambda/heartbeat-subscriber/heartbeat-subscriber';
import { deviceTopicClient } from '../test/reliability/harness/device-clients';
import { DeviceFleet } from '../test/reliability/harness/device-fleet';
import { startLocalTracker } from '../test/reliability/harness/local-tracker';
import { malformedBatch } from '../test/reliability/payloads/malformed-heartbeat';

async function main() {
  const withFleet = process.argv[2] === 'fleet';
  const withSub = process.argv[3] !== 'nosub';
  const t = await startLocalTracker({ LEASE_SECONDS: '6', HEARTBEAT_INTERVAL_SECONDS: '1' });
  const sub = withSub ? await startHeartbeatSubscriber(t.config, { ports: t.ports, metrics: new CountingMetrics(), options: { healthPort: false } }) : undefined;
  await sub?.ready();
  const fleet = await DeviceFleet.admit(t.emulator, createHandlerDependencies(t.config, t.ports), 6, 2, 'fuzz');
  if (withFleet) fleet.start(1000);
  const v = fleet.devices[0];
  const batch = malformedBatch(5000, 1, { sessionIds: [v.grant.sessionId], deviceIds: [v.deviceId] });
  const att = deviceTopicClient(t.emulator, v.grant.token);
  const s = Date.now();
  for (let i = 0; i < batch.length; i += 100) {
    const b0 = Date.now();
    const rs = await Promise.all(batch.slice(i, i + 100).map((m) => att.publish('reliability', v.grant.heartbeatTopic, m.value)));
    if (i % 1000 === 0) console.log(i, Date.now() - b0, 'ms', rs.filter((r) => !(r instanceof TopicPublish.Success)).length, sub?.stats().messages.rejected);
  }
  console.log('total', Date.now() - s, sub?.stats().messages);
  await fleet.stop();
  await sub?.stop();
  await t.stop();
  process.exit(0);
}
main();
