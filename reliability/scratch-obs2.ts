import { TopicSubscribe } from '@gomomento/sdk';
import { deviceTopicClient, observerTopicClient } from '../test/reliability/harness/device-clients';
import { startLocalTracker } from '../test/reliability/harness/local-tracker';

async function main() {
  const size = Number(process.argv[2]);
  const n = Number(process.argv[3] ?? 5000);
  const t = await startLocalTracker();
  const tok = await t.ports.tokens!.mintDeviceToken({ accountId: 'a', publishTopic: 'hb', subscribeTopic: 'c', ttlSeconds: 600 });
  const dev = deviceTopicClient(t.emulator, tok.token);
  const obs = observerTopicClient(t.emulator);
  let items = 0; let lost = 0; let disc = 0;
  const sub = await obs.subscribe('reliability', 'hb', { onItem: () => { items++; }, onConnectionLost: () => { lost++; console.log('lost at', items, Date.now()); }, onDiscontinuity: (d) => { disc++; console.log('disc', d.lastSequenceNumber(), d.newSequenceNumber()); }, onError: (e) => console.log('err', e.toString()) });
  if (!(sub instanceof TopicSubscribe.Subscription)) throw new Error(sub.toString());
  const s = Date.now();
  const payload = process.argv[4] === 'bin' ? new Uint8Array(size).fill(120) : 'x'.repeat(size);
  for (let i = 0; i < n; i += 100) await Promise.all(Array.from({ length: 100 }, () => dev.publish('reliability', 'hb', payload)));
  const pub = Date.now() - s;
  let last = -1; while (items < n && Date.now() - s < 20000) { await new Promise((r) => setTimeout(r, 1000)); if (items !== last) console.log('t', Date.now() - s, 'items', items); last = items; }
  console.log(size, process.argv[4] ?? 'text', 'published in', pub, 'received', items, 'after', Date.now() - s);
  sub.unsubscribe();
  await t.stop();
  process.exit(0);
}
main();
