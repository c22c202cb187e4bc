import { createHttpTopicTransport } from '../../client/http-topic-transport';
import { httpBaseUrlFromToken } from '../../client/http-endpoint';
import { TopicTransportError, type TopicTransport } from '../../client/topic-transport';

interface Call {
  readonly url: string;
  readonly init: RequestInit;
}

/** A fetch that records calls and answers from handlers, one per call, in order. */
function fakeFetch(...answers: Array<(call: Call) => Response | Promise<Response>>) {
  const calls: Call[] = [];
  const queue = [...answers];
  const fetchFn = jest.fn(async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const call = { url: String(input), init };
    calls.push(call);
    const next = queue.shift();
    if (!next) return new Promise<Response>((_resolve, reject) => abortable(init, reject)); // hang like a long poll
    return next(call);
  });
  return { fetchFn: fetchFn as unknown as typeof fetch, calls, queue };
}

function abortable(init: RequestInit, reject: (reason: unknown) => void): void {
  init.signal?.addEventListener('abort', () =>
    reject(init.signal?.reason ?? new DOMException('aborted', 'AbortError')),
  );
}

const address = { token: 'tok-1', cacheName: 'concurrency', topic: 'heart beats' };
const json =
  (body: unknown, status = 200) =>
  () =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const item = (sequence: number, text: string, page = 7) => ({
  item: { topic_sequence_number: sequence, sequence_page: page, value: { text } },
});
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Subscribes to `address`, keeping the messages and errors it is told. */
function listen(transport: TopicTransport) {
  const messages: string[] = [];
  const errors: TopicTransportError[] = [];
  const subscription = transport.subscribe(address, {
    onMessage: (text) => messages.push(text),
    onError: (error) => errors.push(error),
  });
  return { messages, errors, subscription };
}

afterEach(() => {
  jest.useRealTimers();
});

describe('httpBaseUrlFromToken', () => {
  it('derives https://api.cache.<endpoint> from a disposable token', () => {
    const token = Buffer.from(
      JSON.stringify({ endpoint: 'cell-us-east-1-1.prod.a.momentohq.com', api_key: 'k' }),
    ).toString('base64');
    expect(httpBaseUrlFromToken(token)).toBe('https://api.cache.cell-us-east-1-1.prod.a.momentohq.com');
    const urlSafe = Buffer.from(JSON.stringify({ endpoint: 'cell-1.example.com', api_key: '??>>' })).toString(
      'base64url',
    );
    expect(httpBaseUrlFromToken(urlSafe)).toBe('https://api.cache.cell-1.example.com');
  });

  it('returns undefined for a token without a usable endpoint', () => {
    expect(httpBaseUrlFromToken('eyJhbGciOiJIUzI1NiJ9.e30.sig')).toBeUndefined();
    expect(httpBaseUrlFromToken(Buffer.from(JSON.stringify({ api_key: 'k' })).toString('base64'))).toBeUndefined();
    expect(
      httpBaseUrlFromToken(Buffer.from(JSON.stringify({ endpoint: 'evil.com/path?x=' })).toString('base64')),
    ).toBeUndefined();
  });
});

describe('createHttpTopicTransport publish', () => {
  it('POSTs the text to /topics/{cache}/{topic} with the token in Authorization', async () => {
    const { fetchFn, calls } = fakeFetch(() => new Response(null, { status: 204 }));
    const transport = createHttpTopicTransport({ baseUrl: 'http://127.0.0.1:9999/', fetch: fetchFn });

    await transport.publish(address, '{"v":1}');

    expect(calls).toHaveLength(1);
    expect(calls[0]?.url).toBe('http://127.0.0.1:9999/topics/concurrency/heart%20beats');
    expect(calls[0]?.init.method).toBe('POST');
    expect(calls[0]?.init.headers).toEqual({ Authorization: 'tok-1', 'Content-Type': 'text/plain' });
    expect(calls[0]?.init.body).toBe('{"v":1}');
  });

  it.each([
    [401, 'unauthenticated'],
    [403, 'forbidden'],
    [404, 'invalid'],
    [400, 'invalid'],
    [429, 'transient'],
    [503, 'transient'],
  ] as const)('classifies a %i as %s', async (status, kind) => {
    const { fetchFn } = fakeFetch(() => new Response('nope', { status }));
    const transport = createHttpTopicTransport({ baseUrl: 'http://x', fetch: fetchFn });
    const error = await transport.publish(address, 'm').catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(TopicTransportError);
    expect(error).toMatchObject({ kind, code: status });
    expect((error as Error).message).toContain('nope');
  });

  it('classifies a network failure and a timeout as transient', async () => {
    const failing = fakeFetch(() => Promise.reject(new TypeError('fetch failed')));
    const transport = createHttpTopicTransport({ baseUrl: 'http://x', fetch: failing.fetchFn });
    await expect(transport.publish(address, 'm')).rejects.toMatchObject({ kind: 'transient' });

    const hanging = fakeFetch();
    const slow = createHttpTopicTransport({ baseUrl: 'http://x', fetch: hanging.fetchFn, publishTimeoutMs: 20 });
    await expect(slow.publish(address, 'm')).rejects.toMatchObject({
      kind: 'transient',
      message: expect.stringMatching(/20 ms/),
    });
  });

  it('refuses a token it cannot derive an endpoint from when no baseUrl is given', async () => {
    const { fetchFn, calls } = fakeFetch();
    const transport = createHttpTopicTransport({ fetch: fetchFn });
    await expect(transport.publish(address, 'm')).rejects.toMatchObject({
      kind: 'invalid',
      message: expect.stringMatching(/baseUrl/),
    });
    expect(calls).toHaveLength(0);
  });

  it('sends the exit stop as a keepalive simple request with the token in the query', () => {
    const { fetchFn, calls } = fakeFetch(() => new Response(null, { status: 204 }));
    const transport = createHttpTopicTransport({ baseUrl: 'http://x', fetch: fetchFn });
    transport.publishOnExit?.({ ...address, token: 'a+b/c=' }, '{"type":"stop"}');
    expect(calls[0]?.url).toBe('http://x/topics/concurrency/heart%20beats?token=a%2Bb%2Fc%3D');
    expect(calls[0]?.init).toMatchObject({
      method: 'POST',
      keepalive: true,
      headers: { 'Content-Type': 'text/plain' },
      body: '{"type":"stop"}',
    });
  });
});

describe('createHttpTopicTransport subscribe', () => {
  it('long-polls from sequence 0 and follows the sequence numbers and page it is given', async () => {
    const { fetchFn, calls } = fakeFetch(
      json({ items: [item(0, 'first'), item(1, 'second')] }),
      json({ items: [{ heartbeat: {} }] }),
      json({
        items: [
          { discontinuity: { last_topic_sequence: 2, new_topic_sequence: 10, new_sequence_page: 9 } },
          item(10, 'third', 9),
        ],
      }),
    );
    const transport = createHttpTopicTransport({ baseUrl: 'http://x', fetch: fetchFn });
    const { messages, subscription } = listen(transport);
    await settle();

    expect(messages).toEqual(['first', 'second', 'third']);
    expect(calls.map((call) => new URL(call.url).search)).toEqual([
      '?sequence_number=0&sequence_page=0',
      '?sequence_number=2&sequence_page=7',
      '?sequence_number=2&sequence_page=7',
      '?sequence_number=11&sequence_page=9',
    ]);
    expect(calls[0]?.init.headers).toEqual({ Authorization: 'tok-1' });
    // Kept out of the browser's HTTP cache, which may hold back identical pending polls.
    expect(calls.every((call) => call.init.cache === 'no-store')).toBe(true);
    subscription.close();
  });

  it('decodes binary values', async () => {
    const binary = Buffer.from('{"type":"evicted"}').toString('base64');
    const { fetchFn } = fakeFetch(json({ items: [{ item: { topic_sequence_number: 0, value: { binary } } }] }));
    const transport = createHttpTopicTransport({ baseUrl: 'http://x', fetch: fetchFn });
    const { messages, subscription } = listen(transport);
    await settle();
    expect(messages).toEqual(['{"type":"evicted"}']);
    subscription.close();
  });

  it('retries transient failures with backoff by itself', async () => {
    jest.useFakeTimers();
    const { fetchFn, calls } = fakeFetch(
      () => new Response('busy', { status: 503 }),
      () => Promise.reject(new TypeError('fetch failed')),
      json({ items: [item(4, 'after retries')] }),
    );
    // random 1: each retry waits its whole backoff step, 5 ms then 10 ms.
    const transport = createHttpTopicTransport({
      baseUrl: 'http://x',
      fetch: fetchFn,
      retry: { initialMs: 5, maxMs: 10 },
      random: () => 1,
    });
    const { messages, errors, subscription } = listen(transport);
    await jest.advanceTimersByTimeAsync(4);
    expect(calls.length).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(calls.length).toBe(2);
    await jest.advanceTimersByTimeAsync(9);
    expect(calls.length).toBe(2);
    await jest.advanceTimersByTimeAsync(1);
    expect(messages).toEqual(['after retries']);
    expect(errors).toEqual([]);
    expect(calls.length).toBe(4);
    subscription.close();
  });

  it('reports a rejected token and resumes at the same place with the refreshed one', async () => {
    const { fetchFn, calls, queue } = fakeFetch(
      json({ items: [item(3, 'a')] }),
      () => new Response('expired', { status: 401 }),
    );
    const transport = createHttpTopicTransport({ baseUrl: 'http://x', fetch: fetchFn });
    const { messages, errors, subscription } = listen(transport);
    await settle();
    expect(errors.map((error) => error.kind)).toEqual(['unauthenticated']);
    expect(calls).toHaveLength(2); // parked: no polling with a rejected token

    queue.push(json({ items: [item(4, 'b')] }));
    subscription.updateToken('tok-2');
    await settle();

    expect(messages).toEqual(['a', 'b']);
    expect(calls[2]?.init.headers).toEqual({ Authorization: 'tok-2' });
    expect(new URL(calls[2]?.url ?? '').search).toBe('?sequence_number=4&sequence_page=7');
    subscription.close();
  });

  it('abandons a silent poll after pollTimeoutMs and polls again', async () => {
    jest.useFakeTimers();
    const { fetchFn, calls } = fakeFetch(); // every poll hangs until it is aborted
    const transport = createHttpTopicTransport({ baseUrl: 'http://x', fetch: fetchFn, pollTimeoutMs: 20 });
    const { errors, subscription } = listen(transport);
    await jest.advanceTimersByTimeAsync(19);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.init.signal?.aborted).toBe(false);

    await jest.advanceTimersByTimeAsync(1); // pollTimeoutMs after the poll began
    expect(calls[0]?.init.signal?.aborted).toBe(true);
    expect(calls).toHaveLength(2); // at once, from the same place: no news is not a failure
    expect(new URL(calls[1]?.url ?? '').search).toBe('?sequence_number=0&sequence_page=0');

    await jest.advanceTimersByTimeAsync(20);
    expect(calls[1]?.init.signal?.aborted).toBe(true);
    expect(calls).toHaveLength(3);
    expect(errors).toEqual([]);
    subscription.close();
  });

  it('aborts the pending poll on close and delivers nothing after', async () => {
    let delivered = false;
    const { fetchFn, calls } = fakeFetch();
    const transport = createHttpTopicTransport({ baseUrl: 'http://x', fetch: fetchFn });
    const subscription = transport.subscribe(address, {
      onMessage: () => (delivered = true),
      onError: () => (delivered = true),
    });
    await settle();
    subscription.close();
    await settle();
    expect(calls[0]?.init.signal?.aborted).toBe(true);
    expect(calls).toHaveLength(1);
    expect(delivered).toBe(false);
  });
});
