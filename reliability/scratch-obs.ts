import { TopicSubscribe } from '@gomomento/sdk';
import { deviceTopicClient, observerTopicClient } from '../test/reliability/harness/device-clients';
import { startLocalTracker } from '../test/reliability/harness/local-tracker';
import { malformedBatch } from '../test/reliability/payloads/malformed-heartbeat';

async function main() {
  const t = await startLocalTracker();
  const tok = await t.ports.tokens!.mintDeviceToken({ accountId: 'a', publishTopic: 'hb', subscribeTopic: 'c', ttlSeconds: 600 });
  const dev = deviceTopicClient(t.emulator, tok.token);
  const obs = observerTopicClient(t.emulator);
  let items = 0;
  const sub = await obs.subscribe('reliability', 'hb', { onItem: () => { items++; }, onError: (e) => console.log('err', e.toString()) });
  if (!(sub instanceof TopicSubscribe.Subscription)) throw new Error(sub.toString());
  const batch = malformedBatch(5000, 1);
  const kinds = process.argv[2] ? batch.filter((m) => m.defect === process.argv[2]) : batch;
  const s = Date.now();
  for (let i = 0; i < kinds.length; i += 100) await Promise.all(kinds.slice(i, i + 100).map((m) => dev.publish('reliability', 'hb', m.value)));
  console.log(process.argv[2] ?? 'all', kinds.length, 'published in', Date.now() - s, 'received', items);
  const w = Date.now();
  while (items < kinds.length && Date.now() - w < 20000) await new Promise((r) => setTimeout(r, 50));
  console.log('received', items, 'after', Date.now() - s);
  sub.unsubscribe();
  await t.stop();
  process.exit(0);
}
main();
