import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConcurrencyTracker } from '../../lib/concurrency-tracker';
import { runtimeEnvironment } from '../../lib/runtime-environment';
import { TrackerComponent } from '../../lib/tracker-metric-names';
import { VonageSessionMonitoring } from '../../lib/vonage-session-monitoring';
import { parseRuntimeConfig } from '../../lambda/core/config';
import { parseVonageConfig } from '../../lambda/vonage/vonage-config';
import { newStack } from '../construct/support/tracker-stack';
import { ensureBundles } from '../../bin/ensure-bundles';

/**
 * The wiring `ConcurrencyTracker` does when its `vonage` prop is set, done from outside: the
 * construct on the tracker's API, secrets and environment. The whole stack stays nag-clean and the
 * functions' environment is accepted by both runtime schemas.
 */
function trackerWithVonage(): { stack: Stack; tracker: ConcurrencyTracker; vonage: VonageSessionMonitoring } {
  const stack = newStack();
  const tracker = new ConcurrencyTracker(stack, 'Tracker', {});
  const vonage = new VonageSessionMonitoring(tracker, 'Vonage', {
    applicationId: 'c1a2b3c4-0000-4000-8000-00000000feed',
    privateKey: secretsmanager.Secret.fromSecretNameV2(stack, 'VonageKey', 'vonage/private-key'),
    callbackSignatureSecret: secretsmanager.Secret.fromSecretNameV2(stack, 'VonageSig', 'vonage/signature-secret'),
    roomTypes: { 'one-to-one': { capacity: 2, duration: Duration.hours(1), durationStartsWhen: 2 } },
    resource: tracker.api.root,
    dataKeySecret: tracker.dataKeySecret,
    environment: runtimeEnvironment(TrackerComponent.ENTITLEMENT, tracker.settings, {
      eventBusName: tracker.eventBus?.eventBusName,
      dataKeySecretArn: tracker.dataKeySecret.secretArn,
    }),
    eventBus: tracker.eventBus,
  });
  return { stack, tracker, vonage };
}

describe('VonageSessionMonitoring inside a ConcurrencyTracker', () => {
  let built: ReturnType<typeof trackerWithVonage>;
  let template: ReturnType<Template['toJSON']>;
  beforeAll(() => {
    ensureBundles();
    built = trackerWithVonage();
    template = Template.fromStack(built.stack).toJSON();
  });

  test('the whole stack has no unacknowledged AwsSolutions finding', () => {
    const { stack } = built;
    const report = new AwsSolutionsChecks(stack).validateScope(stack);
    const findings = report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`));
    expect(findings).toEqual([]);
  });

  test('the token route inherits the tracker\'s authorisation; the callback route has none', () => {
    const { stack, vonage } = built;
    const auth = (logicalId: string) => template.Resources[logicalId].Properties.AuthorizationType;
    expect(auth(stack.getLogicalId(vonage.tokenMethod.node.defaultChild as never))).toBe('AWS_IAM');
    expect(auth(stack.getLogicalId(vonage.callbackMethod.node.defaultChild as never))).toBe('NONE');
  });

  test('the functions\' environment passes both runtime configuration schemas', () => {
    const { stack, vonage } = built;
    for (const fn of [vonage.callbackFunction, vonage.tokenFunction, vonage.durationCheckFunction]) {
      const variables = template.Resources[stack.getLogicalId(fn.node.defaultChild as never)].Properties.Environment.Variables as Record<string, unknown>;
      const env = Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, typeof v === 'string' ? v : 'arn:aws:resolved']));
      const tracker = parseRuntimeConfig(env);
      expect(parseVonageConfig(env, tracker.defaultLimit).policies.types['one-to-one'].capacity).toBe(2);
    }
  });
});
