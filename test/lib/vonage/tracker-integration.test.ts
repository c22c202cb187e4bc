import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConcurrencyTracker } from '../../../lib/concurrency-tracker';
import { VonageSessionMonitoring } from '../../../lib/vonage-session-monitoring';
import { parseRuntimeConfig } from '../../../lambda/core/runtime/config';
import { parseVonageConfig } from '../../../lambda/vonage/vonage-config';
import { newStack } from '../support/tracker-stack';
import { ensureBundles } from '../../../bin/ensure-bundles';

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
    tracker,
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
    const findings = report.violations.flatMap((v) =>
      v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`),
    );
    expect(findings).toEqual([]);
  });

  test("the token route inherits the tracker's authorisation; the callback route has none", () => {
    const { stack, vonage } = built;
    const auth = (logicalId: string) => template.Resources[logicalId].Properties.AuthorizationType;
    expect(auth(stack.getLogicalId(vonage.tokenMethod.node.defaultChild as never))).toBe('AWS_IAM');
    expect(auth(stack.getLogicalId(vonage.callbackMethod.node.defaultChild as never))).toBe('NONE');
  });

  test("the functions' environment passes both runtime configuration schemas", () => {
    const { stack, vonage } = built;
    for (const fn of [vonage.callbackFunction, vonage.tokenFunction, vonage.durationCheckFunction]) {
      const variables = template.Resources[stack.getLogicalId(fn.node.defaultChild as never)].Properties.Environment
        .Variables as Record<string, unknown>;
      const env = Object.fromEntries(
        Object.entries(variables).map(([k, v]) => [k, typeof v === 'string' ? v : 'arn:aws:resolved']),
      );
      const tracker = parseRuntimeConfig(env);
      expect(parseVonageConfig(env, tracker.defaultLimit).policies.types['one-to-one'].capacity).toBe(2);
    }
  });
});

describe('acknowledgement reasons say what protects each route', () => {
  /** The reasons acknowledged on a construct, by finding id. */
  function acknowledged(scope: IConstruct): Record<string, string> {
    return Object.assign(
      {},
      ...scope.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .map((entry) => entry.data as Record<string, string>),
    );
  }
  const reasonFor = (scope: IConstruct, rule: string) =>
    Object.entries(acknowledged(scope)).find(([id]) => id.includes(rule))?.[1];

  test('with the vonage prop, APIG3 does not say every method is authorised: it names the callback route and its checks', () => {
    ensureBundles();
    const stack = newStack();
    const tracker = new ConcurrencyTracker(stack, 'Tracker', {
      vonage: {
        applicationId: 'c1a2b3c4-0000-4000-8000-00000000feed',
        privateKey: secretsmanager.Secret.fromSecretNameV2(stack, 'VonageKey', 'vonage/private-key'),
        callbackSignatureSecret: secretsmanager.Secret.fromSecretNameV2(stack, 'VonageSig', 'vonage/signature-secret'),
      },
    });
    const template = Template.fromStack(stack).toJSON();
    const unauthorised = Object.values(
      template.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>,
    ).filter(
      (r) =>
        r.Type === 'AWS::ApiGateway::Method' &&
        r.Properties.AuthorizationType === 'NONE' &&
        r.Properties.HttpMethod !== 'OPTIONS',
    );
    expect(unauthorised).toHaveLength(1);

    const apig3 = reasonFor(tracker.api.deploymentStage, 'APIG3');
    expect(apig3).toBeDefined();
    expect(apig3).not.toMatch(/^Every method requires/);
    expect(apig3).toMatch(/except POST \/vonage\/session-monitoring/);
    for (const reason of [
      apig3,
      reasonFor(tracker.vonage!.callbackMethod, 'APIG4'),
      reasonFor(tracker.vonage!.callbackMethod, 'COG4'),
    ]) {
      for (const check of ['signature secret', 'payload_hash', 'iat', 'application_id', 'jti'])
        expect(reason).toContain(check);
    }
  });

  test('without it, APIG3 claims authorisation for the methods the tracker creates and mentions no callback', () => {
    const stack = newStack();
    const tracker = new ConcurrencyTracker(stack, 'Tracker', {});
    const apig3 = reasonFor(tracker.api.deploymentStage, 'APIG3');
    expect(apig3).toMatch(/Every method this construct creates requires IAM, Cognito or verified-JWT authorisation/);
    expect(apig3).not.toMatch(/vonage/i);
  });
});
