import type { ApiRequest } from './api-request';
import {
  type AccountSource,
  addIdentityRows,
  badRequestTable,
  type BadRequestCase,
  callerFor,
  JSON_HEADERS,
  ODD_IDS,
} from './bad-request-case';

/** What every row starts from: a valid `POST /tokens` for `accountId`, changed in one way. */
export interface TokenRequestBase {
  readonly accountId: string;
  readonly deviceId: string;
  /** The claim holding the account id under `ACCOUNT_SOURCE=claim`. */
  readonly claim: string;
}

function validBody(source: AccountSource, base: TokenRequestBase): Record<string, unknown> {
  return source === 'iam' ? { accountId: base.accountId, deviceId: base.deviceId } : { deviceId: base.deviceId };
}

function request(source: AccountSource, base: TokenRequestBase, change: Partial<ApiRequest> = {}): ApiRequest {
  return {
    method: 'POST',
    resource: '/tokens',
    pathParameters: null,
    queryStringParameters: null,
    headers: JSON_HEADERS,
    body: JSON.stringify(validBody(source, base)),
    caller: callerFor(source, base.accountId, base.claim),
    ...change,
  };
}

/** The valid request the table's rows are variations of (the test checks it is accepted). */
export function validTokenRequest(source: AccountSource, base: TokenRequestBase): ApiRequest {
  return request(source, base);
}

/** The `POST /tokens` table: at least 30 rows, each of which must be refused with a 4xx. */
export function tokenBadRequests(base: TokenRequestBase): BadRequestCase[] {
  const { rows, add } = badRequestTable('POST /tokens', (source, change) => request(source, base, change));
  const body = (source: AccountSource, fields: Record<string, unknown>) =>
    JSON.stringify({ ...validBody(source, base), ...fields });
  const without = (source: AccountSource, field: string) => {
    const b = validBody(source, base);
    delete b[field];
    return JSON.stringify(b);
  };

  for (const [name, raw] of [
    ['truncated object', '{"deviceId":"dev'],
    ['empty body', ''],
    ['no body', null],
    ['JSON null', 'null'],
    ['JSON array', `[${JSON.stringify(validBody('iam', base))}]`],
    ['JSON number', '42'],
    ['JSON string', JSON.stringify(JSON.stringify(validBody('iam', base)))],
    ['trailing comma', `{"accountId":"${base.accountId}","deviceId":"${base.deviceId}",}`],
    ['single quotes', `{'accountId':'${base.accountId}','deviceId':'${base.deviceId}'}`],
    ['byte order mark', `\ufeff${JSON.stringify(validBody('iam', base))}`],
  ] as const) {
    add('iam', 'bad-json', name, { body: raw });
  }

  add('iam', 'missing-field', 'no deviceId', { body: without('iam', 'deviceId') });
  add('iam', 'missing-field', 'no accountId under IAM', { body: without('iam', 'accountId') });
  add('iam', 'missing-field', 'empty object', { body: '{}' });
  add('claim', 'missing-field', 'no deviceId', { body: '{}' });

  add('iam', 'extra-field', 'limit override', { body: body('iam', { limit: 1000 }) });
  add('iam', 'extra-field', 'admin flag', { body: body('iam', { admin: true }) });
  add('iam', 'extra-field', '__proto__ key', {
    body: `{"__proto__":{"limit":1000},${JSON.stringify(validBody('iam', base)).slice(1)}`,
  });
  add('claim', 'extra-field', 'token id override', { body: body('claim', { tokenId: 'someone-else' }) });

  for (const [field, value] of [
    ['deviceId', 12345],
    ['deviceId', null],
    ['deviceId', ['dev-1']],
    ['deviceId', { id: 'dev-1' }],
    ['accountId', 42],
    ['accountId', true],
    ['contentId', 7],
    ['kind', false],
    ['sessionId', 99],
  ] as const) {
    add('iam', 'wrong-type', `${field} as ${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value}`, {
      body: body('iam', { [field]: value }),
    });
  }

  add('iam', 'long-id', 'deviceId of 129 characters', { body: body('iam', { deviceId: 'd'.repeat(129) }) });
  add('iam', 'long-id', 'deviceId of 100,000 characters', { body: body('iam', { deviceId: 'd'.repeat(100_000) }) });
  add('iam', 'long-id', 'accountId of 65 characters (a token id holds 64)', {
    body: body('iam', { accountId: 'a'.repeat(65) }),
  });
  add('iam', 'long-id', 'contentId of 257 characters', { body: body('iam', { contentId: 'c'.repeat(257) }) });
  add('iam', 'long-id', 'kind of 33 characters', { body: body('iam', { kind: 'k'.repeat(33) }) });
  add('iam', 'long-id', 'sessionId of 129 characters', { body: body('iam', { sessionId: 's'.repeat(129) }) });

  for (const [name, id] of ODD_IDS) add('iam', 'odd-id', `deviceId ${name}`, { body: body('iam', { deviceId: id }) });
  for (const [name, id] of ODD_IDS.slice(0, 8))
    add('iam', 'odd-id', `accountId ${name}`, { body: body('iam', { accountId: id }) });

  for (const method of ['GET', 'PUT', 'PATCH', 'DELETE']) add('iam', 'wrong-method', method, { method });

  addIdentityRows(add, base, JSON_HEADERS);
  add('claim', 'identity', 'account claim a number', { caller: callerFor('claim', 42, base.claim) });
  add('claim', 'identity', 'account claim an object', {
    caller: callerFor('claim', { accountId: base.accountId }, base.claim),
  });
  return rows;
}
