import type { ApiRequest, Caller } from './api-request';

/** The kinds of bad request each route's table covers (the list). */
export type BadRequestCategory =
  | 'bad-json'
  | 'missing-field'
  | 'extra-field'
  | 'wrong-type'
  | 'long-id'
  | 'odd-id'
  | 'wrong-method'
  | 'identity'
  /** A well-formed request for something the caller does not own: 404, and nothing changes. */
  | 'wrong-owner';

/** How the API takes the account: `iam` from the body or path, `claim` from the verified claim. */
export type AccountSource = 'iam' | 'claim';

/** One row of a bad-request table. Every row must get a 4xx with the `{ error, message }` shape. */
export interface BadRequestCase {
  readonly name: string;
  readonly category: BadRequestCategory;
  /** The account source the API runs with for this row. */
  readonly accountSource: AccountSource;
  readonly request: ApiRequest;
}

/** Ids that must never be accepted: each breaks out of the id alphabet the runtime keys its cache with. */
export const ODD_IDS: readonly (readonly [string, string])[] = [
  ['empty', ''],
  ['blank', '   '],
  ['lease key separator #', 'acct#0'],
  ['pipe separator', 'a|b'],
  ['space inside', 'a b'],
  ['path traversal', '../../etc/passwd'],
  ['NUL byte', 'a\u0000b'],
  ['newline (log injection)', 'a\nlevel=ERROR forged'],
  ['right-to-left override', 'abc\u202edef'],
  ['emoji', 'dev😀'],
  ['HTML', '<script>alert(1)</script>'],
  ['wildcard', '*'],
];

/** A caller that presents `accountId` the way the account source expects. */
export function callerFor(source: AccountSource, accountId: unknown, claim: string): Caller {
  return source === 'iam'
    ? { kind: 'iam', userArn: 'arn:aws:sts::123456789012:assumed-role/backend/reliability' }
    : { kind: 'cognito', claims: { [claim]: accountId } };
}

export const JSON_HEADERS = { 'content-type': 'application/json' } as const;
