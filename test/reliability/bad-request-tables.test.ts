import { checkBadRequests, endBadRequests, listBadRequests } from './requests/session-bad-requests';
import { tokenBadRequests } from './requests/token-bad-requests';

// The tables themselves: big enough, varied, and each row really different from its valid base.
describe('bad request tables', () => {
  const tables = {
    'POST /tokens': tokenBadRequests({ accountId: 'acct-1', deviceId: 'device-1', claim: 'sub' }),
    'GET /accounts/{accountId}/sessions': listBadRequests({
      accountId: 'acct-1',
      sessionId: 'session-1',
      claim: 'sub',
    }),
    'DELETE /accounts/{accountId}/sessions/{sessionId}': endBadRequests({
      accountId: 'acct-1',
      sessionId: 'session-1',
      claim: 'sub',
    }),
    'GET /accounts/{accountId}/sessions/{sessionId}': checkBadRequests({
      accountId: 'acct-1',
      sessionId: 'session-1',
      claim: 'sub',
    }),
  };

  it.each(Object.entries(tables))('%s has at least 30 distinct rows covering ids, methods and identity', (_, rows) => {
    expect(rows.length).toBeGreaterThanOrEqual(30);
    expect(new Set(rows.map((r) => r.name)).size).toBe(rows.length);
    const categories = new Set(rows.map((r) => r.category));
    for (const c of ['odd-id', 'long-id', 'wrong-method', 'identity', 'missing-field'] as const)
      expect(categories).toContain(c);
    expect(rows.some((r) => r.accountSource === 'claim')).toBe(true);
  });

  it('POST /tokens covers bad JSON, extra fields and wrong types', () => {
    const categories = new Set(tables['POST /tokens'].map((r) => r.category));
    for (const c of ['bad-json', 'extra-field', 'wrong-type'] as const) expect(categories).toContain(c);
  });
});
