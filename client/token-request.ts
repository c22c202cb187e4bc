import {
  describeIssues,
  errorBodySchema,
  refusalSchema,
  tokenGrantSchema,
  type Refusal,
  type TokenGrant,
} from './contracts';
import { DeviceSessionError } from './device-session-error';
import type { DeviceSessionErrorCode } from './reasons';
import { errorMessage } from './error-message';

/** What the client asks `POST /tokens` for; the player's backend adds the account. */
export interface TokenRequestBody {
  /** Stable id of this device (a reconnecting device keeps its lease). */
  readonly deviceId: string;
  /** The viewer's name for this device, shown to the account's other devices in a 409 (display only). */
  readonly deviceName?: string;
  /** Present when refreshing the token of a running session. */
  readonly sessionId?: string;
  /** The session's key from its grant; sent with `sessionId` (a refresh), never without. */
  readonly sessionKey?: string;
  /** The title or room being played, for per-content limits. */
  readonly contentId?: string;
  /** The stream kind (for example `camera` or `screen`), for admission hooks. */
  readonly kind?: string;
}

/** An answer as status and parsed JSON body. */
export interface TokenAnswer {
  readonly status: number;
  readonly body: unknown;
  /** The answer's `Retry-After` header (seconds or an HTTP date), when it had one. */
  readonly retryAfter?: string;
}

/** A `fetch` Response, or anything with a status and `json()`. */
export interface FetchLikeResponse {
  readonly status: number;
  /** Read for `Retry-After` when present. */
  readonly headers?: { get(name: string): string | null };
  json(): Promise<unknown>;
}

/**
 * The player's own call to `POST /tokens` through its backend, so the device never holds backend
 * credentials. It may return the `fetch` Response as is, or `{ status, body }`.
 */
export type RequestToken = (body: TokenRequestBody) => Promise<TokenAnswer | FetchLikeResponse>;

/** The three ways a token request ends. */
export type TokenOutcome =
  | { readonly type: 'granted'; readonly grant: TokenGrant }
  | { readonly type: 'refused'; readonly refusal: Refusal }
  | { readonly type: 'failed'; readonly error: DeviceSessionError };

/** Calls `requestToken` and classifies its answer against the contract; never throws. */
export async function requestTokenOutcome(requestToken: RequestToken, body: TokenRequestBody): Promise<TokenOutcome> {
  let answer: TokenAnswer;
  try {
    answer = await readAnswer(await requestToken(body));
  } catch (error) {
    const message = errorMessage(error);
    if (isInvalidUrlError(error)) {
      // A URL that cannot be parsed fails the same way on every try: a configuration error.
      return failed('invalid-url', `the token request's URL is invalid: ${message}`, {
        retryable: false,
        cause: error,
      });
    }
    return failed('token-request-failed', `the token request failed: ${message}`, { retryable: true, cause: error });
  }
  const { status } = answer;
  const retryAfterMs = parseRetryAfter(answer.retryAfter);
  if (status === 200 || status === 201) {
    const grant = tokenGrantSchema.safeParse(answer.body);
    if (grant.success) return { type: 'granted', grant: grant.data };
    return failed(
      'invalid-token-answer',
      `POST /tokens answered ${status} with an unexpected body: ${describeIssues(grant.error)}`,
      {
        status,
        retryable: false,
      },
    );
  }
  if (status === 409) {
    const refusal = refusalSchema.safeParse(answer.body);
    if (refusal.success) return { type: 'refused', refusal: refusal.data };
  }
  const retryable = status === 408 || status === 429 || status >= 500;
  const extra = { status, retryable, ...(retryable && retryAfterMs !== undefined && { retryAfterMs }) };
  const errorBody = errorBodySchema.safeParse(answer.body);
  if (errorBody.success) {
    return failed(errorBody.data.error, errorBody.data.message || `POST /tokens answered ${status}`, extra);
  }
  return failed('invalid-token-answer', `POST /tokens answered ${status} without an { error, message } body`, extra);
}

async function readAnswer(response: TokenAnswer | FetchLikeResponse): Promise<TokenAnswer> {
  if (typeof response !== 'object' || response === null || typeof response.status !== 'number') {
    throw new TypeError('requestToken must resolve to a Response or { status, body }');
  }
  if ('json' in response && typeof response.json === 'function') {
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      body = undefined; // a non-JSON body is reported by the contract check below
    }
    const retryAfter = typeof response.headers?.get === 'function' ? response.headers.get('retry-after') : null;
    return { status: response.status, body, ...(retryAfter !== null && { retryAfter }) };
  }
  return response as TokenAnswer;
}

/** `Retry-After` as ms from now: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/**
 * Whether `fetch` threw because its URL cannot be parsed (Node: `ERR_INVALID_URL`; browsers:
 * "Failed to parse URL" or "is not a valid URL"), as opposed to a network failure worth retrying.
 */
function isInvalidUrlError(error: unknown): boolean {
  // Duck-typed: the error may come from another realm (an iframe's fetch, a test sandbox), where
  // `instanceof Error` is false.
  const fields = (value: unknown): { code?: unknown; name?: unknown; message?: unknown; cause?: unknown } =>
    typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  const thrown = fields(error);
  if (thrown.code === 'ERR_INVALID_URL' || fields(thrown.cause).code === 'ERR_INVALID_URL') return true;
  return (
    thrown.name === 'TypeError' &&
    typeof thrown.message === 'string' &&
    /invalid url|failed to parse url|not a valid url/i.test(thrown.message)
  );
}

function failed(
  code: DeviceSessionErrorCode | (string & {}),
  message: string,
  options: { status?: number; retryable: boolean; retryAfterMs?: number; cause?: unknown },
): TokenOutcome {
  return { type: 'failed', error: new DeviceSessionError(code, message, options) };
}
