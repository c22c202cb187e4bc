import type { TokenAnswer, TokenRequestBody } from '../../client/token-request';
import { tokenGrant } from './fake-topic-transport';

/** A queued answer of the fake backend: an answer, or an error for `requestToken` to throw. */
export type Answer = TokenAnswer | Error;

/** A requestToken that answers from a queue and records the bodies it was called with. */
export function tokenBackend(...answers: Answer[]) {
  const bodies: TokenRequestBody[] = [];
  const queue = [...answers];
  const requestToken = jest.fn(async (body: TokenRequestBody): Promise<TokenAnswer> => {
    bodies.push(body);
    const next = queue.shift();
    if (!next) throw new Error('no answer queued');
    if (next instanceof Error) throw next;
    return next;
  });
  return { requestToken, bodies, queue };
}

/** A 201 answer with a grant (see `tokenGrant`). */
export const granted = (overrides: Parameters<typeof tokenGrant>[0] = {}): TokenAnswer => ({
  status: 201,
  body: tokenGrant(overrides),
});

/** A 409 answer listing two active sessions. */
export const refused: TokenAnswer = {
  status: 409,
  body: {
    error: 'limit-reached',
    message: 'This account is already playing on 2 devices',
    sessions: [
      { sessionId: 's-a', deviceId: 'tv', startedAt: '2026-11-25T10:00:00.000Z' },
      { sessionId: 's-b', deviceId: 'tablet', startedAt: '2026-11-25T10:05:00.000Z' },
    ],
  },
};

/** A 503 answer, with a `Retry-After` when given. */
export const unavailable = (retryAfter?: string): TokenAnswer => ({
  status: 503,
  body: { error: 'momento-unavailable', message: 'try later' },
  ...(retryAfter !== undefined && { retryAfter }),
});
