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

/**
 * One route's bad-request table as it is written: `add` appends a row named
 * `<label> [<source>] <name>` whose request is the route's valid request for `source`, changed by `change`.
 */
export function badRequestTable(
  label: string,
  validRequest: (source: AccountSource, change: Partial<ApiRequest>) => ApiRequest,
) {
  const rows: BadRequestCase[] = [];
  const add = (source: AccountSource, category: BadRequestCategory, name: string, change: Partial<ApiRequest>) => {
    rows.push({
      name: `${label} [${source}] ${name}`,
      category,
      accountSource: source,
      request: validRequest(source, change),
    });
  };
  return { rows, add };
}

/**
 * The identity rows of every route under claim authorisation: no authoriser, no account claim, an
 * empty one, one with the lease separator, and the account only in forged headers (sent with `headers`).
 */
export function addIdentityRows(
  add: ReturnType<typeof badRequestTable>['add'],
  base: { readonly accountId: string; readonly claim: string },
  headers: Readonly<Record<string, string>> = {},
): void {
  add('claim', 'identity', 'no authoriser at all', { caller: { kind: 'anonymous' } });
  add('claim', 'identity', 'claims without the account claim', {
    caller: { kind: 'cognito', claims: { email: 'a@example.com' } },
  });
  add('claim', 'identity', 'account claim empty', { caller: callerFor('claim', '', base.claim) });
  add('claim', 'identity', 'account claim with the lease separator', {
    caller: callerFor('claim', `${base.accountId}#0`, base.claim),
  });
  add('claim', 'identity', 'account only in a forged header', {
    caller: { kind: 'anonymous' },
    headers: { ...headers, 'x-account-id': base.accountId, authorization: 'Bearer forged' },
  });
}
