import { DisposableTokenScopes, ExpiresIn } from '@gomomento/sdk';
import {
  localCredentials,
  mintToken,
  record,
  sleep,
  topicClient,
  useEmulator,
  waitFor,
} from './support/emulator-session';

const CACHE = 'http-cache';
const session = useEmulator(CACHE, { longPollTimeoutMs: 400 });

interface PollBody {
  items: Array<
    | {
        item: {
          topic_sequence_number: number;
          sequence_page: number;
          value: { text?: string; binary?: string };
          publisher_id?: string;
        };
      }
    | { discontinuity: { last_topic_sequence: number; new_topic_sequence: number; new_sequence_page: number } }
  >;
}

const topicUrl = (topic: string, query = '') => `${session.emulator.httpUrl}/topics/${CACHE}/${topic}${query}`;

/** A five-minute token that may publish to `hb` only, with the token id `browser-1`. */
const browserToken = () =>
  mintToken(session.emulator, DisposableTokenScopes.topicPublishOnly(CACHE, 'hb'), ExpiresIn.minutes(5), 'browser-1');

describe('HTTP topics API', () => {
  it('publishes with a token in the Authorization header and delivers to a gRPC subscriber with its token id', async () => {
    const { emulator } = session;
    const token = await browserToken();
    const subscriber = await record(topicClient(localCredentials(emulator)), CACHE, 'hb');
    const response = await fetch(topicUrl('hb'), {
      method: 'POST',
      headers: { Authorization: token, 'Content-Type': 'text/plain' },
      body: '{"v":1}',
    });
    expect(response.status).toBe(204);
    const binary = await fetch(topicUrl('hb', `?token=${encodeURIComponent(token)}`), {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: new Uint8Array([1, 2, 3]),
    });
    expect(binary.status).toBe(204);
    await waitFor(() => subscriber.items.length === 2, 15_000, 'both items');
    expect(subscriber.items[0]?.value()).toBe('{"v":1}');
    expect(subscriber.items[0]?.tokenId()).toBe('browser-1');
    expect(subscriber.items[1]?.value()).toEqual(new Uint8Array([1, 2, 3]));
    subscriber.subscription.unsubscribe();
  });

  it('applies the same token checks as gRPC', async () => {
    const { emulator } = session;
    const token = await browserToken();
    const post = (url: string, headers: Record<string, string> = {}, body = 'x') =>
      fetch(url, { method: 'POST', headers, body });
    expect((await post(topicUrl('hb'))).status).toBe(401);
    expect((await post(topicUrl('hb'), { Authorization: 'garbage' })).status).toBe(401);
    expect((await post(topicUrl('hb', `?token=${encodeURIComponent(token)}`), { Authorization: token })).status).toBe(
      400,
    );
    expect((await post(topicUrl('other'), { Authorization: token })).status).toBe(403);
    const poll = await fetch(topicUrl('hb'), { headers: { Authorization: token } });
    expect(poll.status).toBe(403);
    expect((await post(topicUrl('hb'), { Authorization: token }, 'x'.repeat(4097))).status).toBe(429);
    const anyCache = await mintToken(
      emulator,
      DisposableTokenScopes.topicPublishOnly('missing-cache', 'hb'),
      ExpiresIn.minutes(5),
    );
    const missing = await post(`${emulator.httpUrl}/topics/missing-cache/hb`, { Authorization: anyCache });
    expect(missing.status).toBe(404);
    expect(await missing.text()).toMatch(/Cache not found/);
    const expiring = await mintToken(
      emulator,
      DisposableTokenScopes.topicPublishOnly(CACHE, 'hb'),
      ExpiresIn.seconds(1),
    );
    await sleep(2100);
    expect((await post(topicUrl('hb'), { Authorization: expiring })).status).toBe(401);
  });

  it('long-polls: waits for the next item, replays from a sequence number, and reports a new page', async () => {
    const { emulator } = session;
    const token = await mintToken(
      emulator,
      DisposableTokenScopes.topicSubscribeOnly(CACHE, 'poll'),
      ExpiresIn.minutes(5),
    );
    const publisher = topicClient(localCredentials(emulator));
    const pending = fetch(topicUrl('poll', '?sequence_number=0&sequence_page=0'), {
      headers: { Authorization: token },
    });
    await sleep(100);
    await publisher.publish(CACHE, 'poll', 'first');
    const first = await pending;
    expect(first.status).toBe(200);
    const firstBody = (await first.json()) as PollBody;
    expect(firstBody.items).toHaveLength(1);
    const firstItem = firstBody.items[0] as Extract<PollBody['items'][number], { item: unknown }>;
    expect(firstItem.item.value.text).toBe('first');
    const { topic_sequence_number: seq, sequence_page: page } = firstItem.item;

    await publisher.publish(CACHE, 'poll', 'second');
    await publisher.publish(CACHE, 'poll', 'third');
    const replay = (await (
      await fetch(topicUrl('poll', `?sequence_number=${seq + 1}&sequence_page=${page}`), {
        headers: { Authorization: token },
      })
    ).json()) as PollBody;
    expect(replay.items.map((i) => ('item' in i ? [i.item.topic_sequence_number, i.item.value.text] : i))).toEqual([
      [seq + 1, 'second'],
      [seq + 2, 'third'],
    ]);

    const otherPage = (await (
      await fetch(topicUrl('poll', `?sequence_number=${seq + 1}&sequence_page=${page + 1}`), {
        headers: { Authorization: token },
      })
    ).json()) as PollBody;
    expect(otherPage.items[0]).toEqual({
      discontinuity: { last_topic_sequence: seq, new_topic_sequence: seq + 3, new_sequence_page: page },
    });

    // Nothing new: the poll answers with no items after the emulator's long-poll timeout.
    const started = Date.now();
    const empty = (await (
      await fetch(topicUrl('poll', `?sequence_number=${seq + 3}&sequence_page=${page}`), {
        headers: { Authorization: token },
      })
    ).json()) as PollBody;
    expect(empty.items).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
  });

  it('answers CORS preflights so a page on another localhost port can call it', async () => {
    const origin = 'http://localhost:5173';
    const preflight = await fetch(topicUrl('hb'), {
      method: 'OPTIONS',
      headers: {
        Origin: origin,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization,content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    const refused = await fetch(topicUrl('hb'), { method: 'POST', headers: { Origin: origin }, body: 'x' });
    expect(refused.headers.get('access-control-allow-origin')).toBe(origin);
  });
});
