import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { AdmissionHookError, decideWithin } from '../../../lambda/core/ports/admission-hook';
import { LIFECYCLE_EVENT_SOURCE, lifecycleEventId } from '../../../lambda/core/ports/lifecycle-event-sink';
import { loadMomentoKeys, MomentoKeyError } from '../../../lambda/core/adapters/momento-credentials';
import { testConfig } from './support/engine-config';
import { LambdaAdmissionHook } from '../../../lambda/core/adapters/lambda-admission-hook';
import { EventBridgeEventSink } from '../../../lambda/core/adapters/eventbridge-event-sink';

describe('EventBridgeEventSink', () => {
  const eventBridge = mockClient(EventBridgeClient);
  beforeEach(() => eventBridge.reset());

  it('puts each lifecycle event on the bus with the contract source and detail type', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });
    const sink = new EventBridgeEventSink('tracker-bus', new EventBridgeClient({ region: 'eu-west-1' }));
    const detail = {
      eventId: lifecycleEventId('Session Stopped', 'a|acc', 's-1', 1),
      accountId: 'acc',
      scope: 'a|acc',
      sessionId: 's-1',
      deviceId: 'tv',
      at: '2026-01-01T00:00:00.000Z',
    };
    await sink.emit({ detailType: 'Session Stopped', detail });
    const input = eventBridge.commandCalls(PutEventsCommand)[0]!.args[0].input;
    expect(input.Entries).toEqual([
      {
        EventBusName: 'tracker-bus',
        Source: LIFECYCLE_EVENT_SOURCE,
        DetailType: 'Session Stopped',
        Detail: JSON.stringify(detail),
      },
    ]);
  });

  it('reports a failure instead of throwing it at the caller', async () => {
    eventBridge.on(PutEventsCommand).rejects(new Error('throttled'));
    const failures: string[] = [];
    const sink = new EventBridgeEventSink('bus', new EventBridgeClient({ region: 'eu-west-1' }), (message) =>
      failures.push(message),
    );
    await expect(
      sink.emit({
        detailType: 'Session Expired',
        detail: { eventId: 'x', accountId: 'a', scope: 'a|a', deviceId: 'd', at: 'now' },
      }),
    ).resolves.toBeUndefined();
    expect(failures).toEqual(['lifecycle event not sent']);
  });

  it('derives the same id for the same event and different ids otherwise', () => {
    expect(lifecycleEventId('Session Expired', 'a|acc', 's-1', 5)).toBe(
      lifecycleEventId('Session Expired', 'a|acc', 's-1', 5),
    );
    expect(lifecycleEventId('Session Expired', 'a|acc', 's-1', 5)).not.toBe(
      lifecycleEventId('Session Stopped', 'a|acc', 's-1', 5),
    );
    expect(lifecycleEventId('Session Expired', 'a|acc', 's-1', 5)).not.toBe(
      lifecycleEventId('Session Expired', 'a|acc', 's-1', 6),
    );
  });
});

describe('LambdaAdmissionHook', () => {
  const lambda = mockClient(LambdaClient);
  beforeEach(() => lambda.reset());
  const hook = () =>
    new LambdaAdmissionHook('arn:aws:lambda:eu-west-1:1:function:hook', new LambdaClient({ region: 'eu-west-1' }));
  const input = { accountId: 'acc', deviceId: 'tv', scope: 'a|acc', defaultLimit: 2 };
  const payload = (value: unknown) =>
    new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value)) as never;

  it('invokes the hook synchronously and returns its validated decision', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload({ allow: true, limit: 4 }) });
    await expect(hook().decide(input)).resolves.toEqual({ allow: true, limit: 4 });
    const call = lambda.commandCalls(InvokeCommand)[0]!.args[0].input;
    expect(call.InvocationType).toBe('RequestResponse');
    expect(JSON.parse(new TextDecoder().decode(call.Payload as Uint8Array))).toEqual(input);
  });

  it.each([
    [
      'a function error',
      { StatusCode: 200, FunctionError: 'Unhandled', Payload: payload({ errorMessage: 'boom' }) },
      /failed/,
    ],
    ['an answer that is not JSON', { StatusCode: 200, Payload: payload('nope') }, /not JSON/],
    ['an invalid limit', { StatusCode: 200, Payload: payload({ allow: true, limit: 0 }) }, /invalid/],
  ])('refuses %s with an AdmissionHookError', async (_name, response, message) => {
    lambda.on(InvokeCommand).resolves(response);
    const decision = hook().decide(input);
    await expect(decision).rejects.toBeInstanceOf(AdmissionHookError);
    await expect(decision).rejects.toThrow(message);
  });
});

describe('decideWithin', () => {
  const input = { accountId: 'acc', deviceId: 'tv', scope: 'a|acc', defaultLimit: 2 };

  it('fails a hook that does not answer in time', async () => {
    // The hook never answers, so only the time bound can end the call; it does not fire early.
    const started = Date.now();
    await expect(decideWithin({ decide: () => new Promise(() => undefined) }, input, 50)).rejects.toThrow(
      new AdmissionHookError('admission hook did not answer within 50 ms'),
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
  });

  it('wraps any hook failure as an AdmissionHookError and passes answers through', async () => {
    await expect(
      decideWithin(
        {
          decide: async () => {
            throw new Error('AccessDenied');
          },
        },
        input,
      ),
    ).rejects.toThrow(/admission hook failed: AccessDenied/);
    await expect(decideWithin({ decide: async () => ({ allow: true, limit: 2 }) }, input)).resolves.toEqual({
      allow: true,
      limit: 2,
    });
  });
});

describe('loadMomentoKeys', () => {
  const arn = 'arn:aws:secretsmanager:eu-west-1:1:secret:data';

  it('reads no key in local runs', async () => {
    const read = jest.fn();
    await expect(loadMomentoKeys(testConfig({ MOMENTO_LOCAL_ENDPOINT: '127.0.0.1:1' }), read)).resolves.toEqual({});
    expect(read).not.toHaveBeenCalled();
  });

  it('reads the keys a local run names (the emulator verifies them)', async () => {
    const read = jest.fn(async () => 'emulator-key');
    await expect(
      loadMomentoKeys(testConfig({ MOMENTO_LOCAL_ENDPOINT: '127.0.0.1:1', DATA_KEY_SECRET_ARN: arn }), read),
    ).resolves.toEqual({ dataKey: 'emulator-key' });
    expect(read).toHaveBeenCalledWith(arn);
  });

  it('reads the data and auth keys from their secrets', async () => {
    const read = jest.fn(async (secretArn: string) => (secretArn.endsWith('data') ? ' data-key ' : 'auth-key'));
    const keys = await loadMomentoKeys(
      testConfig({ DATA_KEY_SECRET_ARN: arn, AUTH_KEY_SECRET_ARN: `${arn}-auth` }),
      read,
    );
    expect(keys).toEqual({ dataKey: 'data-key', authKey: 'auth-key' });
  });

  it('prefers the injected data key of the subscriber', async () => {
    const read = jest.fn();
    await expect(loadMomentoKeys(testConfig({ MOMENTO_DATA_KEY: 'injected' }), read)).resolves.toEqual({
      dataKey: 'injected',
      authKey: undefined,
    });
  });

  it('says clearly when a secret is empty or missing, without its value', async () => {
    await expect(loadMomentoKeys(testConfig({ DATA_KEY_SECRET_ARN: arn }), async () => '   ')).rejects.toThrow(
      /is empty: put the Momento key in it/,
    );
    await expect(
      loadMomentoKeys(testConfig({ DATA_KEY_SECRET_ARN: arn }), async () => {
        throw Object.assign(new Error('secret-value-xyz'), { name: 'ResourceNotFoundException' });
      }),
    ).rejects.toThrow(
      new MomentoKeyError(
        `the Momento data key could not be read from ${arn}: ResourceNotFoundException (is it still empty? put the Momento key in it with aws secretsmanager put-secret-value)`,
      ),
    );
    await expect(loadMomentoKeys(testConfig(), async () => 'x')).rejects.toThrow(/no Momento data key configured/);
  });
});
