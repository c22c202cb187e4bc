import type { APIGatewayProxyResult } from 'aws-lambda';
import { parseRuntimeConfig } from '../../lambda/core/runtime/config';
import { createHandlerDependencies, type HandlerDependencies } from '../../lambda/core/runtime/handler-dependencies';
import { RecordingEventSink } from '../lambda/core/support/recording-event-sink';
import { handleEntitlementRequest } from '../../lambda/entitlement/handle-entitlement-request';
import { handleTokenRequest } from '../../lambda/token-vending/handle-token-request';
import { recordFigures } from './figures';
import { stateChangingCalls } from './harness/emulator-writes';
import { localEnvironment, startLocalTracker, type LocalTracker } from './harness/local-tracker';
import { toApiGatewayEvent, type ApiRequest } from './requests/api-request';
import type { AccountSource, BadRequestCase } from './requests/bad-request-case';
import {
  checkBadRequests,
  endBadRequests,
  listBadRequests,
  validEndRequest,
  validListRequest,
} from './requests/session-bad-requests';
import { tokenBadRequests, validTokenRequest } from './requests/token-bad-requests';

// Every route answers bad input with a 4xx and the `{ error, message }` shape, never a 5xx, and
// changes nothing: no Momento write, no token minted, no lifecycle event.
const ACCOUNT = 'acct-bad-requests';
const CLAIM = 'sub';

let tracker: LocalTracker;
const deps = {} as Record<AccountSource, HandlerDependencies>;
const events = new RecordingEventSink();
let liveSessionId = '';

beforeAll(async () => {
  tracker = await startLocalTracker({ LEASE_SECONDS: '120' });
  for (const source of ['iam', 'claim'] as const) {
    const config = parseRuntimeConfig(
      localEnvironment(tracker.emulator, { LEASE_SECONDS: '120', ACCOUNT_SOURCE: source, ACCOUNT_CLAIM: CLAIM }),
    );
    deps[source] = createHandlerDependencies(config, tracker.ports, { events });
  }
  // A live session the DELETE rows aim at: it must survive all of them.
  const admitted = await invoke(
    'POST /tokens',
    validTokenRequest('iam', { accountId: ACCOUNT, deviceId: 'device-live', claim: CLAIM }),
    'iam',
  );
  expect(admitted.statusCode).toBe(201);
  liveSessionId = JSON.parse(admitted.body).sessionId;
});
afterAll(async () => tracker?.stop());

type Route = 'POST /tokens' | 'GET sessions' | 'GET session' | 'DELETE session';
let requestCounter = 0;

function invoke(route: Route, request: ApiRequest, source: AccountSource): Promise<APIGatewayProxyResult> {
  const event = toApiGatewayEvent(request, `req-${(requestCounter += 1)}`);
  return route === 'POST /tokens'
    ? handleTokenRequest(event, deps[source])
    : handleEntitlementRequest(event, deps[source]);
}

interface RowResult {
  readonly name: string;
  readonly status: number;
  readonly shape: boolean;
  readonly writes: number;
}
const results: Record<Route, RowResult[]> = {
  'POST /tokens': [],
  'GET sessions': [],
  'GET session': [],
  'DELETE session': [],
};

async function runTable(route: Route, rows: readonly BadRequestCase[]): Promise<void> {
  for (const row of rows) {
    const before = stateChangingCalls(tracker.emulator);
    const eventsBefore = events.events.length;
    const response = await invoke(route, row.request, row.accountSource);
    let body: unknown;
    try {
      body = JSON.parse(response.body);
    } catch {
      body = undefined;
    }
    const b = body as { error?: unknown; message?: unknown } | undefined;
    results[route].push({
      name: row.name,
      status: response.statusCode,
      shape: typeof b?.error === 'string' && typeof b.message === 'string' && b.message.length > 0,
      writes: stateChangingCalls(tracker.emulator) - before + (events.events.length - eventsBefore),
    });
  }
}

/** Rows that broke a promise, described so a failure names each one. */
function broken(route: Route): string[] {
  return results[route]
    .filter((r) => r.status < 400 || r.status > 499 || !r.shape || r.writes !== 0)
    .map(
      (r) =>
        `${r.name}: ${r.status}${r.shape ? '' : ' (no {error,message})'}${r.writes ? `, ${r.writes} state change(s)` : ''}`,
    );
}

describe('malformed requests: a 4xx with the error shape, no 5xx, no change in state', () => {
  it('the valid requests the tables vary are accepted (positive control)', async () => {
    for (const source of ['iam', 'claim'] as const) {
      expect(
        (
          await invoke(
            'GET sessions',
            validListRequest(source, { accountId: ACCOUNT, sessionId: liveSessionId, claim: CLAIM }),
            source,
          )
        ).statusCode,
      ).toBe(200);
    }
    const other = await invoke(
      'POST /tokens',
      validTokenRequest('claim', { accountId: 'acct-claim-ok', deviceId: 'device-claim', claim: CLAIM }),
      'claim',
    );
    expect(other.statusCode).toBe(201);
  });

  const tokenRows = () => tokenBadRequests({ accountId: ACCOUNT, deviceId: 'device-new', claim: CLAIM });

  it('POST /tokens', async () => {
    await runTable(
      'POST /tokens',
      tokenRows().filter((row) => row.category !== 'extra-field'),
    );
    expect(broken('POST /tokens')).toEqual([]);
  });

  // Kept apart so a failure here names the one gap: the body schema must refuse unknown fields.
  it('POST /tokens refuses extra fields', async () => {
    const before = results['POST /tokens'].length;
    await runTable(
      'POST /tokens',
      tokenRows().filter((row) => row.category === 'extra-field'),
    );
    expect(broken('POST /tokens').slice(0)).toEqual([]);
    expect(results['POST /tokens'].length - before).toBeGreaterThan(0);
  });

  it('GET /accounts/{accountId}/sessions', async () => {
    await runTable('GET sessions', listBadRequests({ accountId: ACCOUNT, sessionId: liveSessionId, claim: CLAIM }));
    expect(broken('GET sessions')).toEqual([]);
  });

  it('GET /accounts/{accountId}/sessions/{sessionId} (the session check), and the live session is still answered 200', async () => {
    await runTable('GET session', checkBadRequests({ accountId: ACCOUNT, sessionId: liveSessionId, claim: CLAIM }));
    expect(broken('GET session')).toEqual([]);
    const valid = {
      ...validEndRequest('iam', { accountId: ACCOUNT, sessionId: liveSessionId, claim: CLAIM }),
      method: 'GET',
    };
    expect((await invoke('GET session', valid, 'iam')).statusCode).toBe(200);
  });

  it('DELETE /accounts/{accountId}/sessions/{sessionId}, and the live session survives every row', async () => {
    const sessionsBefore = (await tracker.engine.listSessions(ACCOUNT)).sessions.map((s) => s.sessionId).sort();
    expect(sessionsBefore).toContain(liveSessionId);
    await runTable('DELETE session', endBadRequests({ accountId: ACCOUNT, sessionId: liveSessionId, claim: CLAIM }));
    expect(broken('DELETE session')).toEqual([]);
    const view = await tracker.engine.listSessions(ACCOUNT);
    expect(view.sessions.map((s) => s.sessionId).sort()).toEqual(sessionsBefore);
  });

  it('the valid DELETE then ends the session (so the rows above could have)', async () => {
    const response = await invoke(
      'DELETE session',
      validEndRequest('iam', { accountId: ACCOUNT, sessionId: liveSessionId, claim: CLAIM }),
      'iam',
    );
    expect(response.statusCode).toBe(200);
    expect((await tracker.engine.listSessions(ACCOUNT)).sessions.map((s) => s.sessionId)).not.toContain(liveSessionId);
  });

  afterAll(() => {
    const all = Object.values(results).flat();
    const figures: Record<string, number> = {};
    for (const [route, rows] of Object.entries(results)) {
      figures[`${route}: bad requests`] = rows.length;
      figures[`${route}: answered 4xx with the error shape`] = rows.filter(
        (r) => r.status >= 400 && r.status <= 499 && r.shape,
      ).length;
    }
    figures['5xx answers'] = all.filter((r) => r.status >= 500).length;
    figures['2xx answers to bad input'] = all.filter((r) => r.status < 300).length;
    figures['state changes (Momento writes, mints, events)'] = all.reduce((sum, r) => sum + r.writes, 0);
    recordFigures({
      id: 'malformed-requests',
      promise:
        'Every route answers at least 30 kinds of bad request (bad JSON, missing and extra fields, wrong types, long and odd ids, wrong methods, missing or forged identity) with a 4xx and { error, message }, never a 5xx, and changes nothing.',
      test: 'test/reliability/malformed-requests.test.ts',
      figures,
    });
  });
});
