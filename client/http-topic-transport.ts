import * as z from 'zod/mini';
import { backoffDelay, type BackoffPolicy } from './backoff';
import { detachedTimeout, type CancelTimer } from './detached-timer';
import { httpBaseUrlFromToken } from './http-endpoint';
import {
  asTopicTransportError,
  TopicTransportError,
  type TopicAddress,
  type TopicFailureKind,
  type TopicSubscription,
  type TopicSubscriptionHandlers,
  type TopicTransport,
} from './topic-transport';

/** Options of the HTTP topics transport. */
export interface HttpTopicTransportOptions {
  /**
   * Base URL of the HTTP topics API, for example the local emulator's `httpUrl`.
   * @default - `https://api.cache.<endpoint>` from the token
   */
  readonly baseUrl?: string;
  /** The `fetch` to use. @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Time bound of a publish, in ms. @default 5000 */
  readonly publishTimeoutMs?: number;
  /**
   * Time after which a long poll with no answer is abandoned and sent again, in ms; guards against a
   * connection that died without an error. @default 70000
   */
  readonly pollTimeoutMs?: number;
  /** Backoff between failed polls. @default - from 500 ms doubling up to 30 s */
  readonly retry?: BackoffPolicy;
  /** Source of jitter. @default Math.random */
  readonly random?: () => number;
}

const DEFAULT_POLL_RETRY: BackoffPolicy = { initialMs: 500, maxMs: 30_000 };

const valueSchema = z.object({ text: z.optional(z.string()), binary: z.optional(z.string()) });
const pollAnswerSchema = z.object({
  items: z.array(
    z.looseObject({
      item: z.optional(
        z.looseObject({
          topic_sequence_number: z.number(),
          sequence_page: z.optional(z.number()),
          value: valueSchema,
        }),
      ),
      discontinuity: z.optional(
        z.looseObject({
          new_topic_sequence: z.number(),
          new_sequence_page: z.optional(z.number()),
        }),
      ),
    }),
  ),
});

/**
 * Momento topics over the HTTP API with `fetch` only, for the browser (and Node 18+). Publishes with
 * `POST {base}/topics/{cache}/{topic}` and listens with long-polling `GET` on the same path,
 * following `sequence_number` and `sequence_page` so a refreshed token continues where it was.
 */
export function createHttpTopicTransport(options: HttpTopicTransportOptions = {}): TopicTransport {
  const fetchFn = options.fetch ?? globalThis.fetch?.bind(globalThis);
  if (typeof fetchFn !== 'function')
    throw new TypeError('createHttpTopicTransport: no fetch available; pass options.fetch');
  const publishTimeoutMs = options.publishTimeoutMs ?? 5000;
  const pollTimeoutMs = options.pollTimeoutMs ?? 70_000;
  const retry = options.retry ?? DEFAULT_POLL_RETRY;
  if (options.baseUrl !== undefined && !isHttpUrl(options.baseUrl)) {
    // A malformed URL fails the same way on every try: say so now rather than retry it forever.
    throw new TypeError(
      `createHttpTopicTransport: baseUrl must be an absolute http(s) URL, got ${JSON.stringify(options.baseUrl)}`,
    );
  }

  const topicUrl = (address: TopicAddress): string => {
    const base = options.baseUrl ?? httpBaseUrlFromToken(address.token);
    if (!base) {
      throw new TopicTransportError(
        'invalid',
        'cannot tell the HTTP API endpoint from this token; pass baseUrl to createHttpTopicTransport',
        {
          code: 'invalid-url',
        },
      );
    }
    const url = `${base.replace(/\/+$/, '')}/topics/${encodeURIComponent(address.cacheName)}/${encodeURIComponent(address.topic)}`;
    if (!isHttpUrl(url))
      throw new TopicTransportError('invalid', `not a valid topics URL: ${url}`, { code: 'invalid-url' });
    return url;
  };

  return {
    async publish(address, message) {
      const url = topicUrl(address);
      const { signal, cancel } = timeoutSignal(publishTimeoutMs);
      try {
        const response = await fetchFn(url, {
          method: 'POST',
          headers: { Authorization: address.token, 'Content-Type': 'text/plain' },
          body: message,
          signal,
        });
        if (!response.ok) throw await errorFromResponse(response, 'publish');
      } catch (error) {
        throw asTopicTransportError(error);
      } finally {
        cancel();
      }
    },

    publishOnExit(address, message) {
      // A page being unloaded cannot wait for a CORS preflight, so this is a "simple" request:
      // token in the query string (the API accepts it there) and a text/plain body.
      let url: string;
      try {
        url = `${topicUrl(address)}?token=${encodeURIComponent(address.token)}`;
      } catch {
        return;
      }
      void fetchFn(url, {
        method: 'POST',
        keepalive: true,
        headers: { 'Content-Type': 'text/plain' },
        body: message,
      }).catch(() => undefined);
    },

    subscribe(address, handlers) {
      return new LongPollSubscription(
        fetchFn,
        topicUrl(address),
        address.token,
        handlers,
        pollTimeoutMs,
        retry,
        options.random,
      );
    },
  };
}

/** One long-poll loop on one topic. */
class LongPollSubscription implements TopicSubscription {
  private token: string;
  private closed = false;
  private sequenceNumber = 0;
  private sequencePage = 0;
  private failures = 0;
  private abort: AbortController | undefined;
  private wake: (() => void) | undefined;
  private cancelWait: CancelTimer | undefined;

  constructor(
    private readonly fetchFn: typeof fetch,
    private readonly url: string,
    token: string,
    private readonly handlers: TopicSubscriptionHandlers,
    private readonly pollTimeoutMs: number,
    private readonly retry: BackoffPolicy,
    private readonly random: (() => number) | undefined,
  ) {
    this.token = token;
    void this.run();
  }

  updateToken(token: string): void {
    this.token = token;
    this.resume(); // a loop parked on a rejected token continues with the new one
  }

  close(): void {
    this.closed = true;
    this.abort?.abort();
    this.resume();
  }

  private resume(): void {
    this.cancelWait?.();
    this.cancelWait = undefined;
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      try {
        await this.pollOnce();
        this.failures = 0;
      } catch (thrown) {
        if (this.closed) return;
        const error = asTopicTransportError(thrown);
        if (error.kind === 'transient') {
          this.failures += 1;
          await this.pause(backoffDelay(this.retry, this.failures, this.random));
        } else {
          this.handlers.onError(error);
          await this.pause(undefined); // until updateToken() or close()
        }
      }
    }
  }

  private async pollOnce(): Promise<void> {
    const query = `sequence_number=${this.sequenceNumber}&sequence_page=${this.sequencePage}`;
    const abort = new AbortController();
    this.abort = abort;
    let timedOut = false;
    const cancelTimeout = detachedTimeout(this.pollTimeoutMs, () => {
      timedOut = true;
      abort.abort();
    });
    let body: unknown;
    try {
      // `no-store`: browsers may hold back identical pending GETs (two tabs polling one control
      // topic), and a poll started late misses the message it waited for.
      const response = await this.fetchFn(`${this.url}?${query}`, {
        headers: { Authorization: this.token },
        signal: abort.signal,
        cache: 'no-store',
      });
      if (!response.ok) throw await errorFromResponse(response, 'subscribe');
      body = await response.json();
    } catch (error) {
      if (timedOut && !this.closed) return; // no news within the bound: poll again
      throw error;
    } finally {
      cancelTimeout();
      this.abort = undefined;
    }
    if (this.closed) return;
    const parsed = pollAnswerSchema.safeParse(body);
    if (!parsed.success)
      throw new TopicTransportError('transient', 'the topics API answered a poll with an unexpected body');
    for (const entry of parsed.data.items) {
      if (entry.discontinuity) {
        this.sequenceNumber = entry.discontinuity.new_topic_sequence;
        this.sequencePage = entry.discontinuity.new_sequence_page ?? this.sequencePage;
      }
      if (entry.item) {
        this.sequenceNumber = entry.item.topic_sequence_number + 1;
        this.sequencePage = entry.item.sequence_page ?? this.sequencePage;
        const text =
          entry.item.value.text ??
          (entry.item.value.binary !== undefined ? decodeBase64Text(entry.item.value.binary) : undefined);
        if (text !== undefined && !this.closed) this.handlers.onMessage(text);
      }
    }
  }

  private pause(delayMs: number | undefined): Promise<void> {
    return new Promise((resolve) => {
      if (this.closed) return resolve();
      this.wake = resolve;
      if (delayMs !== undefined) this.cancelWait = detachedTimeout(delayMs, () => this.resume());
    });
  }
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function failureKindOfStatus(status: number): TopicFailureKind {
  if (status === 401) return 'unauthenticated';
  if (status === 403) return 'forbidden';
  if (status === 408 || status === 429 || status >= 500) return 'transient';
  return 'invalid';
}

async function errorFromResponse(response: Response, call: string): Promise<TopicTransportError> {
  let detail = '';
  try {
    detail = (await response.text()).slice(0, 200);
  } catch {
    // the status alone is enough
  }
  const suffix = detail ? `: ${detail}` : '';
  return new TopicTransportError(
    failureKindOfStatus(response.status),
    `topics ${call} answered ${response.status}${suffix}`,
    {
      code: response.status,
    },
  );
}

function timeoutSignal(ms: number): { signal: AbortSignal; cancel: () => void } {
  const controller = new AbortController();
  const cancel = detachedTimeout(ms, () =>
    controller.abort(new TopicTransportError('transient', `no answer within ${ms} ms`)),
  );
  return { signal: controller.signal, cancel };
}

function decodeBase64Text(base64: string): string | undefined {
  try {
    const binary = atob(base64);
    const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
    return new TextDecoder().decode(bytes);
  } catch {
    return undefined;
  }
}
