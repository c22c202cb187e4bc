import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConcurrencyTrackerProps, FailureMode } from '../../lib';
import { synthTracker } from './support/tracker-stack';

// docs/operations.md must have a runbook entry for every alarm the construct can create: a new
// alarm without one fails here. The alarms are collected from synthesized stacks (monitoring on,
// with and without Vonage, one and several subscriber groups), not from a list kept beside them.

const RUNBOOK = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'operations.md'), 'utf8');

/** The parts every alarm's entry has. */
const ENTRY_PARTS = [
  '**What it means.**',
  '**Likely causes.**',
  '**On the dashboard.**',
  '**Commands.**',
  '**Fixed when**',
];

const configurations: Array<[string, (stack: Stack) => ConcurrencyTrackerProps]> = [
  ['monitoring on', () => ({ monitoring: {} })],
  [
    'several subscriber groups, fail open',
    () => ({ monitoring: {}, topicShards: 3, subscriberGroups: 3, failureMode: FailureMode.OPEN }),
  ],
  [
    'with vonage',
    (stack) => ({
      monitoring: {},
      vonage: {
        applicationId: 'c1a2b3c4-0000-4000-8000-00000000feed',
        privateKey: secretsmanager.Secret.fromSecretNameV2(stack, 'VonageKey', 'vonage/private-key'),
        callbackSignatureSecret: secretsmanager.Secret.fromSecretNameV2(stack, 'VonageSig', 'vonage/signature-secret'),
      },
    }),
  ],
];

interface CreatedAlarm {
  /** The runbook heading it belongs under: its construct id without a group number (`SubscriberDown2` → `SubscriberDown`). */
  readonly runbookId: string;
  readonly description: string;
}

/** Every CloudWatch alarm anywhere in the stack, found by walking the construct tree. */
function alarmsOf(stack: Stack): CreatedAlarm[] {
  return stack.node
    .findAll()
    .filter((node): node is cloudwatch.CfnAlarm => node instanceof cloudwatch.CfnAlarm)
    .map((cfn) => {
      const owner = cfn.node.scope instanceof cloudwatch.Alarm ? cfn.node.scope.node.id : cfn.node.id;
      return { runbookId: owner.replace(/\d+$/, ''), description: String(stack.resolve(cfn.alarmDescription) ?? '') };
    });
}

/** The runbook's alarm sections: `### \`Id\`` headings under `## Alarms`, with their text. */
function runbookSections(): Map<string, string> {
  const alarmsPart = RUNBOOK.slice(
    RUNBOOK.indexOf('\n## Alarms\n'),
    RUNBOOK.indexOf('\n## ', RUNBOOK.indexOf('\n## Alarms\n') + 1),
  );
  const sections = new Map<string, string>();
  const headings = [...alarmsPart.matchAll(/^### `([A-Za-z]+)`\n/gm)];
  headings.forEach((heading, i) => {
    const end = i + 1 < headings.length ? headings[i + 1].index! : alarmsPart.length;
    sections.set(heading[1], alarmsPart.slice(heading.index!, end));
  });
  return sections;
}

/** Text of the dashboard body (the Fn::Join parts that are strings). */
function dashboardBody(template: Template): string {
  const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  expect(dashboards).toHaveLength(1);
  const body = dashboards[0].Properties.DashboardBody;
  const parts: unknown[] = body['Fn::Join'] ? body['Fn::Join'][1] : [body];
  return parts.filter((part): part is string => typeof part === 'string').join('');
}

describe('docs/operations.md covers every alarm the construct creates', () => {
  const sections = runbookSections();

  test.each(configurations)('%s: each alarm has a complete runbook entry and points to it', (_name, props) => {
    const { stack, template } = synthTracker({}, props);
    const alarms = alarmsOf(stack);
    // The tree walk found every alarm of the template.
    expect(alarms).toHaveLength(Object.keys(template.findResources('AWS::CloudWatch::Alarm')).length);
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) {
      const section = sections.get(alarm.runbookId);
      expect({ alarm: alarm.runbookId, hasSection: section !== undefined }).toEqual({
        alarm: alarm.runbookId,
        hasSection: true,
      });
      for (const part of ENTRY_PARTS) {
        expect({ alarm: alarm.runbookId, part, present: section!.includes(part) }).toEqual({
          alarm: alarm.runbookId,
          part,
          present: true,
        });
      }
      expect(alarm.description).toContain(`Runbook: docs/operations.md, "${alarm.runbookId}".`);
    }
  });

  test('every alarm section of the runbook is an alarm the construct creates (no stale entries)', () => {
    const created = new Set(
      configurations.flatMap(([, props]) => alarmsOf(synthTracker({}, props).stack).map((a) => a.runbookId)),
    );
    expect([...sections.keys()].sort()).toEqual([...created].sort());
  });

  test('a subscriber group added later gets an alarm the runbook covers', () => {
    const { tracker } = synthTracker({ monitoring: {}, topicShards: 2, subscriberGroups: 2 });
    expect(tracker.alarms.map((alarm) => alarm.node.id).filter((id) => id.startsWith('SubscriberDown'))).toEqual([
      'SubscriberDown',
      'SubscriberDown1',
    ]);
  });

  test('the dashboard widgets the runbook sends the reader to exist', () => {
    const { template } = synthTracker({ monitoring: {} });
    const body = dashboardBody(template);
    const named = new Set<string>();
    for (const section of sections.values()) {
      const label = '**On the dashboard.**';
      const dashboardPart = section.slice(section.indexOf(label) + label.length, section.indexOf('**Commands.**'));
      for (const match of dashboardPart.matchAll(/\*([A-Z][^*]+)\*/g)) named.add(match[1].replace(/\s+/g, ' '));
    }
    expect(named.size).toBeGreaterThan(5);
    for (const title of named) {
      expect({ title, onDashboard: body.includes(`"title":"${title}"`) }).toEqual({ title, onDashboard: true });
    }
  });
});
