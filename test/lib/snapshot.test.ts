import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AtLimitBehavior, ConcurrencyTracker, ConcurrencyTrackerProps, TrackerAuthorization } from '../../lib';
import { assetHashSerializer } from './support/asset-hash-serializer';
import { newStack } from './support/tracker-stack';

expect.addSnapshotSerializer(assetHashSerializer);

/** The template of a stack with one tracker, as JSON. */
function templateOf(props: (stack: Stack) => ConcurrencyTrackerProps): unknown {
  const stack = newStack();
  new ConcurrencyTracker(stack, 'Tracker', props(stack));
  return Template.fromStack(stack).toJSON();
}

describe('snapshots (asset hashes masked)', () => {
  test('defaults', () => {
    expect(templateOf(() => ({}))).toMatchSnapshot();
  });

  test('JWT authorisation with an existing VPC and existing secrets', () => {
    expect(
      templateOf((stack) => ({
        vpc: ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
          vpcId: 'vpc-0123456789abcdef0',
          availabilityZones: ['eu-west-1a', 'eu-west-1b'],
          privateSubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'],
          privateSubnetRouteTableIds: ['rtb-0aaaaaaaaaaaaaaa1', 'rtb-0aaaaaaaaaaaaaaa2'],
        }),
        authKeySecret: secretsmanager.Secret.fromSecretNameV2(stack, 'AuthKey', 'momento/auth-key'),
        dataKeySecret: secretsmanager.Secret.fromSecretNameV2(stack, 'DataKey', 'momento/data-key'),
        authorization: TrackerAuthorization.jwt({
          issuer: 'https://login.example.com/',
          audience: ['player'],
          accountClaim: 'https://example.com/account',
        }),
      })),
    ).toMatchSnapshot();
  });

  test('evict-oldest with dashboard and alarms', () => {
    expect(
      templateOf(() => ({
        atLimit: AtLimitBehavior.EVICT_OLDEST,
        monitoring: { dashboardName: 'concurrency-tracker' },
      })),
    ).toMatchSnapshot();
  });
});

describe('the asset hash serializer', () => {
  test('masks 64-hex hashes and leaves other strings alone', () => {
    const hash = 'a'.repeat(64);
    expect(assetHashSerializer.test(`${hash}.zip`)).toBe(true);
    expect(assetHashSerializer.test('nodejs22.x')).toBe(false);
    const printed = assetHashSerializer.serialize(`repo:${hash}`);
    expect(printed).toBe('"repo:[ASSET HASH]"');
  });
});
