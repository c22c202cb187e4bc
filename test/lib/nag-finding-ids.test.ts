import { Validations } from 'aws-cdk-lib';
import { ConcurrencyTracker } from '../../lib';
import { nagAcknowledgementId, nagFindingId } from '../../lib/private/nag-finding-ids';
import { newStack } from './support/tracker-stack';

// The acknowledgement ids are written in aws-cdk-lib's qualified form, so cdk-nag finds them
// (test/lib/nag.test.ts proves that with the real pack) and aws-cdk-lib accepts them.

describe('cdk-nag acknowledgement ids', () => {
  test("a finding id is cdk-nag's <rule>[<finding>], acknowledged in the annotation namespace", () => {
    const id = nagFindingId('AwsSolutions-IAM4', 'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/X');
    expect(id).toBe('AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/X]');
    expect(nagAcknowledgementId(id)).toBe(`annotation::${id}`);
    expect(nagAcknowledgementId('AwsSolutions-L1')).toBe('annotation::AwsSolutions-L1');
  });

  test('an id aws-cdk-lib would reject fails at construction, naming the id', () => {
    expect(() => nagAcknowledgementId('AwsSolutions-IAM5::Resource')).toThrow(
      /AwsSolutions-IAM5::Resource.*outside brackets/,
    );
    expect(() => nagAcknowledgementId('AwsSolutions-IAM5[Resource::*')).toThrow(/unclosed bracket/);
    expect(() => nagAcknowledgementId('AwsSolutions-IAM5[Resource::*)]')).toThrow(/unbalanced '\)'/);
  });

  test('every cdk-nag acknowledgement the tracker records is qualified and names a cdk-nag AwsSolutions finding', () => {
    const stack = newStack();
    const tracker = new ConcurrencyTracker(stack, 'Tracker', { monitoring: {} });
    const ids = stack.node
      .findAll()
      .flatMap((c) => c.node.metadata)
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.keys(m.data as Record<string, string>));
    const nagIds = ids.filter((id) => id.includes('AwsSolutions-'));
    expect(nagIds.length).toBeGreaterThan(5);
    for (const id of nagIds) expect(id).toMatch(/^Annotation::AwsSolutions-[A-Z]+[0-9]+(\[.+\])?$/);
    expect(ids).toContain(
      'Annotation::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    );
    expect(tracker).toBeDefined();
  });
});
