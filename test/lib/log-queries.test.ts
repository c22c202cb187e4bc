import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConcurrencyTrackerProps } from '../../lib';
import {
  MOMENTO_FAILURE_MESSAGES,
  SESSION_STORY,
  TRACKER_LOG_QUERY_STRINGS,
  TrackerLogQuery,
} from '../../lib/private/tracker-log-queries';
import { synthTracker } from './support/tracker-stack';

// The saved Logs Insights queries the runbook (docs/operations.md, "Saved queries") sends the
// reader to: created with monitoring, over the log groups whose lines they read, and filtering on
// messages and fields the runtime really logs.

const ROOT = path.join(__dirname, '..', '..');

function vonage(stack: Stack): ConcurrencyTrackerProps['vonage'] {
  return {
    applicationId: 'c1a2b3c4-0000-4000-8000-00000000feed',
    privateKey: secretsmanager.Secret.fromSecretNameV2(stack, 'VonageKey', 'vonage/private-key'),
    callbackSignatureSecret: secretsmanager.Secret.fromSecretNameV2(stack, 'VonageSig', 'vonage/signature-secret'),
  };
}

/** The query definition named `<folder>/<question>`: its log group refs and text. */
function queryDefinition(template: Template, name: string): { logGroups: string[]; text: string } {
  const found = Object.values(template.findResources('AWS::Logs::QueryDefinition', { Properties: { Name: name } }));
  expect(found).toHaveLength(1);
  const props = found[0].Properties;
  return { logGroups: (props.LogGroupNames as Array<{ Ref: string }>).map((ref) => ref.Ref), text: props.QueryString };
}

function logicalId(stack: Stack, construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as never);
}

/** Every `.ts` file under lambda/, concatenated: where the runtime's log calls are. */
const RUNTIME_SOURCE = (function read(dir: string): string {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .map((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return read(full);
      return entry.name.endsWith('.ts') ? fs.readFileSync(full, 'utf8') : '';
    })
    .join('\n');
})(path.join(ROOT, 'lambda'));

/** Each logger call of the runtime that logs `message`, from the message to the end of the statement. */
function logCalls(message: string): string[] {
  const escaped = message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const call = new RegExp(`logger\\??\\.(?:debug|info|warn|error)\\(\\s*'${escaped}'([^;]*)`, 'g');
  return [...RUNTIME_SOURCE.matchAll(call)].map((match) => match[1]);
}

describe('saved Logs Insights queries', () => {
  test('monitoring creates one per question, in the folder named after the metrics namespace', () => {
    const { template } = synthTracker({ monitoring: {}, metricsNamespace: 'Streaming' });
    template.resourceCountIs('AWS::Logs::QueryDefinition', Object.values(TrackerLogQuery).length);
    for (const question of Object.values(TrackerLogQuery)) {
      template.hasResourceProperties('AWS::Logs::QueryDefinition', { Name: `Streaming/${question}` });
    }
  });

  test('none without monitoring, or with logQueries: false', () => {
    synthTracker().template.resourceCountIs('AWS::Logs::QueryDefinition', 0);
    synthTracker({ monitoring: { logQueries: false } }).template.resourceCountIs('AWS::Logs::QueryDefinition', 0);
  });

  test('each query reads the log groups whose lines it asks about', () => {
    const { stack, template, tracker } = synthTracker({}, (s) => ({
      monitoring: {},
      topicShards: 2,
      subscriberGroups: 2,
      vonage: vonage(s),
    }));
    const id = (group: { node: { defaultChild?: unknown } }) => logicalId(stack, group);
    const tokenVending = id(tracker.tokenVendingLogGroup);
    const entitlement = id(tracker.entitlementLogGroup);
    const subscribers = tracker.subscriberLogGroups.map(id);
    const vonageGroups = tracker.vonage!.logGroups.map(id);
    expect(subscribers).toHaveLength(2);
    expect(vonageGroups).toHaveLength(3);
    const groups = (question: TrackerLogQuery) =>
      queryDefinition(template, `ConcurrencyTracker/${question}`).logGroups.sort();

    expect(groups(TrackerLogQuery.DENIALS_BY_ACCOUNT)).toEqual([tokenVending]);
    expect(groups(TrackerLogQuery.ERRORS_BY_COMPONENT)).toEqual(
      [tokenVending, entitlement, ...vonageGroups, ...subscribers].sort(),
    );
    expect(groups(TrackerLogQuery.ACCOUNT_SESSIONS)).toEqual([tokenVending, entitlement, ...subscribers].sort());
    expect(groups(TrackerLogQuery.THROTTLED_HEARTBEATS_BY_ACCOUNT)).toEqual([...subscribers].sort());
    expect(groups(TrackerLogQuery.MOMENTO_FAILURES)).toEqual([tokenVending, entitlement, ...vonageGroups].sort());
    expect(groups(TrackerLogQuery.SUBSCRIBER_CONNECTION)).toEqual([...subscribers].sort());
  });

  test('the query text in the template is the one the runbook quotes', () => {
    const { template } = synthTracker({ monitoring: {} });
    const denials = queryDefinition(template, `ConcurrencyTracker/${TrackerLogQuery.DENIALS_BY_ACCOUNT}`).text;
    expect(denials).toBe(
      'fields @timestamp, accountId, reason, `limit`, active\n' +
        '| filter message = "admission denied"\n' +
        '| stats count(*) as denials, max(`limit`) as accountLimit by accountId, reason\n' +
        '| sort denials desc\n' +
        '| limit 100',
    );
    const throttled = queryDefinition(
      template,
      `ConcurrencyTracker/${TrackerLogQuery.THROTTLED_HEARTBEATS_BY_ACCOUNT}`,
    ).text;
    expect(throttled).toContain('filter message = "device messages throttled for one account"');
    const runbook = fs.readFileSync(path.join(ROOT, 'docs', 'operations.md'), 'utf8');
    for (const question of Object.values(TrackerLogQuery)) expect(runbook).toContain(`| \`${question}\` |`);
  });

  test('the messages and fields the queries filter on are what the runtime logs', () => {
    const fieldsOf: Array<[string, string[]]> = [
      ['admission denied', ['accountId', 'reason', 'limit', 'active']],
      ['device messages throttled for one account', ['accountId', 'reason', 'throttled']],
      ['session admitted', ['accountId', 'sessionId', 'deviceId', 'limit', 'active']],
      ['session ended', ['accountId', 'sessionId', 'deviceId', 'reason']],
      ['admission could not reach Momento', ['accountId', 'failureMode', 'kind', 'error']],
      ['Momento call failed', ['kind', 'error']],
      ['cannot subscribe to heartbeat shard', ['topic', 'kind', 'hint']],
    ];
    for (const [message, fields] of fieldsOf) {
      const calls = logCalls(message);
      expect({ message, logged: calls.length > 0 }).toEqual({ message, logged: true });
      for (const field of fields)
        expect({ message, field, present: calls.some((line) => line.includes(field)) }).toEqual({
          message,
          field,
          present: true,
        });
    }
    for (const message of [...SESSION_STORY, ...MOMENTO_FAILURE_MESSAGES]) {
      expect({ message, logged: logCalls(message).length > 0 }).toEqual({ message, logged: true });
    }
    // The session story filters on the account, which every line of it carries.
    for (const message of SESSION_STORY)
      expect(logCalls(message).some((line) => line.includes('accountId'))).toBe(true);
  });

  test("the subscriber-connection query matches every line of the subscriber's connection story", () => {
    const filter = TRACKER_LOG_QUERY_STRINGS[TrackerLogQuery.SUBSCRIBER_CONNECTION].filterStatements![0];
    const pattern = new RegExp(/like \/(.*)\/$/.exec(filter)![1]);
    for (const message of [
      'heartbeat subscriber started',
      'heartbeat subscriber waiting for its Momento data key',
      'Momento data key read; subscribing',
      'Momento data key rotated: subscribed with the new key, old subscriptions closed',
      'Momento refused the new data key; keeping the current one and trying again at the next key check',
      'cannot read the key secrets again; keeping the current key',
      'subscribed to heartbeat shard',
      'cannot subscribe to heartbeat shard',
      'heartbeat stream lost; the SDK is reconnecting',
      'heartbeat stream reconnected by the SDK',
      'heartbeat stream silent; resubscribing',
      'heartbeat subscription ended',
      'expiry sweep failed',
    ]) {
      expect({ message, logged: logCalls(message).length > 0 }).toEqual({ message, logged: true });
      expect({ message, matched: pattern.test(message) }).toEqual({ message, matched: true });
    }
  });

  test('the dashboard names every saved query', () => {
    const { template } = synthTracker({ monitoring: {} });
    const body = JSON.stringify(
      Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody,
    );
    expect(body).toContain('Saved Logs Insights queries');
    for (const question of Object.values(TrackerLogQuery)) expect(body).toContain(`ConcurrencyTracker/${question}`);
  });

  test('the Vonage log groups are exposed and retained like the others', () => {
    const { stack, template, tracker } = synthTracker({}, (s) => ({ vonage: vonage(s) }));
    const ids = tracker.vonage!.logGroups.map((group) => logicalId(stack, group));
    expect(ids).toHaveLength(3);
    for (const id of ids)
      expect(template.toJSON().Resources[id]).toEqual(
        expect.objectContaining({ Type: 'AWS::Logs::LogGroup', DeletionPolicy: 'Retain' }),
      );
  });
});
