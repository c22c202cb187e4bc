import { describeIssues, errorBodySchema, refusalSchema, tokenGrantSchema, type Refusal, type TokenGrant } from './contracts';
import { DeviceSessionError } from './device-session-error';

/** What the client asks `POST /tokens` for; the player's backend adds the account. */
export interface TokenRequestBody {
  /** Stable id of this device (a reconnecting device keeps its lease). */
  readonly deviceId: string;
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
}

/** A `fetch` Response, or anything with a status and `json()`. */
export interface FetchLikeResponse {
  readonly status: number;
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
    const message = error instanceof Error ? error.message : String(error);
    return failed('token-request-failed', `the token request failed: ${message}`, { retryable: true, cause: error });
  }
  const { status } = answer;
  if (status === 200 || status === 201) {
    const grant = tokenGrantSchema.safeParse(answer.body);
    if (grant.success) return { type: 'granted', grant: grant.data };
    return failed('invalid-token-answer', `POST /tokens answered ${status} with an unexpected body: ${describeIssues(grant.error)}`, {
      status,
      retryable: false,
    });
  }
  if (status === 409) {
    const refusal = refusalSchema.safeParse(answer.body);
    if (refusal.success) return { type: 'refused', refusal: refusal.data };
  }
  const retryable = status === 408 || status === 429 || status >= 500;
  const errorBody = errorBodySchema.safeParse(answer.body);
  if (errorBody.success) {
    return failed(errorBody.data.error, errorBody.data.message || `POST /tokens answered ${status}`, { status, retryable });
  }
  return failed('invalid-token-answer', `POST /tokens answered ${status} without an { error, message } body`, { status, retryable });
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
    return { status: response.status, body };
  }
  return { status: response.status, body: (response as TokenAnswer).body };
}

function failed(code: string, message: string, options: { status?: number; retryable: boolean; cause?: unknown }): TokenOutcome {
  return { type: 'failed', error: new DeviceSessionError(code, message, options) };
}
