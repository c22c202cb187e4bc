import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConcurrencyTracker } from '../../lib';
import { newStack } from './support/tracker-stack';

// `grantVonageTokens(grantee)`: a backend under IAM authorisation may call POST /vonage/tokens and
// nothing else through this grant.

function build(withVonage: boolean): { stack: Stack; tracker: ConcurrencyTracker; role: iam.Role } {
  const stack = newStack();
  const tracker = new ConcurrencyTracker(stack, 'Tracker', {
    vonage: withVonage
      ? {
          applicationId: 'c1a2b3c4-0000-4000-8000-00000000feed',
          privateKey: secretsmanager.Secret.fromSecretNameV2(stack, 'VonageKey', 'vonage/private-key'),
          callbackSignatureSecret: secretsmanager.Secret.fromSecretNameV2(
            stack,
            'VonageSig',
            'vonage/signature-secret',
          ),
        }
      : undefined,
  });
  const role = new iam.Role(stack, 'Backend', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  return { stack, tracker, role };
}

/** The execute-api:Invoke resources the role's policies allow, resolved and flattened to text. */
function invokeResources(stack: Stack, role: iam.Role): string[] {
  const policies = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')).filter((policy) =>
    JSON.stringify(policy.Properties.Roles).includes(stack.getLogicalId(role.node.defaultChild as iam.CfnRole)),
  );
  return policies.flatMap((policy) =>
    (policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>)
      .filter((statement) => [statement.Action].flat().includes('execute-api:Invoke'))
      .flatMap((statement) => [statement.Resource].flat().map((resource) => JSON.stringify(resource))),
  );
}

describe('grantVonageTokens', () => {
  test('allows execute-api:Invoke on POST /vonage/tokens of the v1 stage only', () => {
    const { stack, tracker, role } = build(true);
    tracker.grantVonageTokens(role);
    const resources = invokeResources(stack, role);
    expect(resources).toHaveLength(1);
    expect(resources[0]).toContain('/POST/vonage/tokens');
    expect(resources[0]).toContain(stack.getLogicalId(tracker.api.deploymentStage.node.defaultChild as never));
    expect(resources[0]).not.toContain('*');
    expect(resources[0]).not.toContain('session-monitoring');
  });

  test('the grantee can call no other route through it', () => {
    const { stack, tracker, role } = build(true);
    tracker.grantVonageTokens(role);
    const resources = invokeResources(stack, role).join('\n');
    for (const route of ['/POST/tokens', '/GET/accounts', '/DELETE/accounts', 'session-monitoring'])
      expect(resources).not.toContain(route);
  });

  test('throws without the vonage prop, naming it', () => {
    const { tracker, role } = build(false);
    expect(() => tracker.grantVonageTokens(role)).toThrow(/vonage prop/);
  });

  test('leaves no unacknowledged cdk-nag finding on the grantee', () => {
    const { stack, tracker, role } = build(true);
    tracker.grantVonageTokens(role);
    const report = new AwsSolutionsChecks(stack).validateScope(stack);
    const onRole = report.violations.flatMap((v) =>
      v.violatingResources
        .filter((r) => (r.constructPath ?? '').startsWith(role.node.path))
        .map((r) => `${v.ruleName} at ${r.constructPath}`),
    );
    expect(onRole).toEqual([]);
  });
});
