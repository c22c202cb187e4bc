import type { ApiRequest } from './api-request';
import {
  type AccountSource,
  addIdentityRows,
  badRequestTable,
  type BadRequestCase,
  callerFor,
  ODD_IDS,
} from './bad-request-case';

/** What the rows start from: an account with a live session, queried or ended by its owner. */
export interface SessionRequestBase {
  readonly accountId: string;
  readonly sessionId: string;
  readonly claim: string;
}

const LIST = '/accounts/{accountId}/sessions';
const END = '/accounts/{accountId}/sessions/{sessionId}';

type Build = (source: AccountSource, base: SessionRequestBase, change?: Partial<ApiRequest>) => ApiRequest;

/** The route's valid request for `source`, changed by `change`. */
function routeRequest(
  route: Pick<ApiRequest, 'method' | 'resource' | 'pathParameters'>,
  source: AccountSource,
  base: SessionRequestBase,
  change: Partial<ApiRequest> = {},
): ApiRequest {
  return {
    ...route,
    queryStringParameters: null,
    headers: {},
    body: null,
    caller: callerFor(source, base.accountId, base.claim),
    ...change,
  };
}

const listRequest: Build = (source, base, change) =>
  routeRequest({ method: 'GET', resource: LIST, pathParameters: { accountId: base.accountId } }, source, base, change);

const endRequest: Build = (source, base, change) =>
  routeRequest(
    { method: 'DELETE', resource: END, pathParameters: { accountId: base.accountId, sessionId: base.sessionId } },
    source,
    base,
    change,
  );

/** The valid requests the rows vary (the test checks each is accepted). */
export const validListRequest = (source: AccountSource, base: SessionRequestBase): ApiRequest =>
  listRequest(source, base);
export const validEndRequest = (source: AccountSource, base: SessionRequestBase): ApiRequest =>
  endRequest(source, base);

/**
 * Identity rows. Under IAM, API Gateway refuses unsigned calls before the Lambda runs (checked on
 * the synthesized template in api-authorization.test.ts), so these rows are about claims.
 */
function identityRows(label: string, build: Build, base: SessionRequestBase): BadRequestCase[] {
  const { rows, add } = badRequestTable(label, (source, change) => build(source, base, change));
  addIdentityRows(add, base);
  add('claim', 'identity', 'account claim a number', { caller: callerFor('claim', 7, base.claim) });
  add('claim', 'identity', "another account's claim (path names this one)", {
    caller: callerFor('claim', `${base.accountId}-other`, base.claim),
  });
  return rows;
}

/** The `GET /accounts/{accountId}/sessions` table: at least 30 rows, each refused with a 4xx. */
export function listBadRequests(base: SessionRequestBase): BadRequestCase[] {
  const { rows, add } = badRequestTable(`GET ${LIST}`, (source, change) => listRequest(source, base, change));

  for (const [name, id] of ODD_IDS) {
    add('iam', 'odd-id', `accountId ${name}`, { pathParameters: { accountId: id } });
  }
  // Under claim authorisation the path must name the caller's own account, so an odd path is also checked there.
  for (const [name, id] of ODD_IDS.slice(0, 4)) {
    add('claim', 'odd-id', `accountId ${name}`, { pathParameters: { accountId: id } });
  }
  add('iam', 'long-id', 'accountId of 129 characters', { pathParameters: { accountId: 'a'.repeat(129) } });
  add('iam', 'long-id', 'accountId of 100,000 characters', { pathParameters: { accountId: 'a'.repeat(100_000) } });
  add('iam', 'long-id', 'contentId of 257 characters', { queryStringParameters: { contentId: 'c'.repeat(257) } });
  add('iam', 'odd-id', 'contentId with the lease separator', { queryStringParameters: { contentId: 'title#1' } });
  add('iam', 'missing-field', 'no path parameters', { pathParameters: null });
  add('iam', 'missing-field', 'accountId parameter absent', { pathParameters: { sessionId: base.sessionId } });
  add('iam', 'odd-id', 'contentId empty', { queryStringParameters: { contentId: '' } });
  for (const method of ['POST', 'PUT', 'PATCH']) add('iam', 'wrong-method', method, { method });
  rows.push(...identityRows(`GET ${LIST}`, listRequest, base));
  return rows;
}

/** The `DELETE /accounts/{accountId}/sessions/{sessionId}` table: at least 30 rows, each refused with a 4xx. */
export function endBadRequests(base: SessionRequestBase): BadRequestCase[] {
  const { rows, add } = badRequestTable(`DELETE ${END}`, (source, change) => endRequest(source, base, change));

  for (const [name, id] of ODD_IDS) {
    add('iam', 'odd-id', `sessionId ${name}`, { pathParameters: { accountId: base.accountId, sessionId: id } });
  }
  for (const [name, id] of ODD_IDS.slice(0, 6)) {
    add('iam', 'odd-id', `accountId ${name}`, { pathParameters: { accountId: id, sessionId: base.sessionId } });
  }
  add('iam', 'long-id', 'sessionId of 129 characters', {
    pathParameters: { accountId: base.accountId, sessionId: 's'.repeat(129) },
  });
  add('iam', 'long-id', 'sessionId of 100,000 characters', {
    pathParameters: { accountId: base.accountId, sessionId: 's'.repeat(100_000) },
  });
  add('iam', 'long-id', 'accountId of 129 characters', {
    pathParameters: { accountId: 'a'.repeat(129), sessionId: base.sessionId },
  });
  add('iam', 'missing-field', 'no path parameters', { pathParameters: null });
  add('iam', 'missing-field', 'sessionId parameter absent', { pathParameters: { accountId: base.accountId } });
  add('iam', 'missing-field', 'accountId parameter absent', { pathParameters: { sessionId: base.sessionId } });
  add('iam', 'wrong-owner', 'this session under another account', {
    pathParameters: { accountId: `${base.accountId}-other`, sessionId: base.sessionId },
  });
  for (const method of ['POST', 'PUT', 'PATCH']) add('iam', 'wrong-method', method, { method });
  rows.push(...identityRows(`DELETE ${END}`, endRequest, base));
  return rows;
}

/**
 * The `GET /accounts/{accountId}/sessions/{sessionId}` table (the session check): the DELETE rows
 * asked with GET, each refused with a 4xx. Without its `sessionId` parameter a GET is the list
 * route (API Gateway requires the parameter on this resource), so that row is left out.
 */
export function checkBadRequests(base: SessionRequestBase): BadRequestCase[] {
  return endBadRequests(base)
    .filter((row) => !row.name.endsWith('sessionId parameter absent'))
    .map((row) => ({
      ...row,
      name: row.name.replace(/^DELETE /, 'GET '),
      request: row.request.method === 'DELETE' ? { ...row.request, method: 'GET' } : row.request,
    }));
}
