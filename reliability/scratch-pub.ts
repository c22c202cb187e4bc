import { TopicPublish, TopicSubscribe } from '@gomomento/sdk';
import { startLocalTracker } from '../test/reliability/harness/local-tracker';
import { deviceTopicClient, observerTopicClient } from '../test/reliability/harness/device-clients';

async function main() {
  const t = await startLocalTracker();
  const tokens = t.ports.tokens!;
  const tok = await tokens.mintDeviceToken({ accountId: 'a', publishTopic: 'hb', subscribeTopic: 'c', ttlSeconds: 600 });
  const dev = deviceTopicClient(t.emulator, tok.token);
  const obs = observerTopicClient(t.emulator);
  let items = 0, disc = 0, lost = 0;
  const sub = await obs.subscribe('reliability', 'hb', { onItem: () => { items++; }, onDiscontinuity: () => { disc++; }, onConnectionLost: () => { lost++; }, onError: (e) => console.log('err', e.toString()) });
  if (!(sub instanceof TopicSubscribe.Subscription)) throw new Error(sub.toString());
  const n = 10000, conc = Number(process.argv[2] ?? 100);
  const s = Date.now();
  for (let i = 0; i < n; i += conc) {
    const rs = await Promise.all(Array.from({ length: conc }, () => dev.publish('reliability', 'hb', 'x'.repeat(Number(process.argv[3] ?? 10)))));
    if (!rs.every((r) => r instanceof TopicPublish.Success)) console.log('fail', rs[0].toString());
  }
  console.log('published', n / ((Date.now() - s) / 1000), 'msg/s');
  await new Promise((r) => setTimeout(r, 3000));
  console.log({ items, disc, lost, stats: t.emulator.stats().itemsDelivered });
  sub.unsubscribe();
  await t.stop();
  process.exit(0);
}
main();
