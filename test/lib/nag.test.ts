import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  AwsSolutionsChecks,
  HIPAASecurityChecks,
  NagPack,
  NIST80053R5Checks,
  PCIDSS321Checks,
  ServerlessChecks,
} from 'cdk-nag';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AtLimitBehavior, ConcurrencyTracker, ConcurrencyTrackerProps, TrackerAuthorization } from '../../lib';
import { newApp, newStack } from './support/tracker-stack';

/** Every unacknowledged AwsSolutions finding in the stack, as "rule at path" lines. */
function findings(stack: Stack): string[] {
  const report = new AwsSolutionsChecks(stack).validateScope(stack);
  return report.violations.flatMap((v) =>
    v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}: ${v.description}`),
  );
}

function trackerStack(app: App, props: (stack: Stack) => ConcurrencyTrackerProps): Stack {
  const stack = newStack(app);
  new ConcurrencyTracker(stack, 'Tracker', props(stack));
  return stack;
}

const configurations: Array<[string, (stack: Stack) => ConcurrencyTrackerProps]> = [
  ['defaults', () => ({})],
  [
    'JWT with existing VPC and secrets',
    (stack) => ({
      vpc: new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1, flowLogs: { All: {} } }),
      authKeySecret: secretsmanager.Secret.fromSecretNameV2(stack, 'Auth', 'momento/auth'),
      dataKeySecret: secretsmanager.Secret.fromSecretNameV2(stack, 'Data', 'momento/data'),
      authorization: TrackerAuthorization.jwt({
        issuer: 'https://login.example.com/',
        audience: ['player'],
        accountClaim: 'sub',
      }),
    }),
  ],
  [
    'Cognito, evict-oldest, admission hook, shards and monitoring',
    (stack) => ({
      authorization: TrackerAuthorization.cognito({
        userPools: [cognito.UserPool.fromUserPoolId(stack, 'Pool', 'eu-west-1_abc')],
        accountClaim: 'sub',
      }),
      atLimit: AtLimitBehavior.EVICT_OLDEST,
      admissionHook: lambda.Function.fromFunctionArn(
        stack,
        'Hook',
        'arn:aws:lambda:eu-west-1:123456789012:function:hook',
      ),
      topicShards: 4,
      subscriberGroups: 2,
      monitoring: {},
    }),
  ],
];

describe('cdk-nag AwsSolutions', () => {
  test.each(configurations)('%s: no unacknowledged findings (recommended feature flags)', (_name, props) => {
    expect(findings(trackerStack(newApp(), props))).toEqual([]);
  });

  test.each(configurations)('%s: no unacknowledged findings (no feature flags)', (_name, props) => {
    expect(findings(trackerStack(new App(), props))).toEqual([]);
  });

  test('grantInvoke acknowledges only its own route wildcards on the grantee', () => {
    const stack = newStack();
    const tracker = new ConcurrencyTracker(stack, 'Tracker');
    const backend = new iam.Role(stack, 'Backend', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    tracker.grantInvoke(backend);
    expect(findings(stack)).toEqual([]);
    // A wildcard of the user's own on the same role is still reported.
    backend.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::bucket/*'] }));
    expect(findings(stack)).toEqual([
      expect.stringMatching(/^AwsSolutions-IAM5\[Resource::arn:aws:s3:::bucket\/\*\] at TestStack\/Backend/),
    ]);
  });

  test('grantCheckSession acknowledges only its own route wildcards on the grantee', () => {
    const stack = newStack();
    const tracker = new ConcurrencyTracker(stack, 'Tracker');
    const licenceServer = new iam.Role(stack, 'LicenceServer', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    tracker.grantCheckSession(licenceServer);
    expect(findings(stack)).toEqual([]);
  });

  test('the check is live: findings outside the tracker, and on a secret passed in, are still reported', () => {
    const stack = newStack();
    const own = new secretsmanager.Secret(stack, 'Unrotated');
    new ConcurrencyTracker(stack, 'Tracker', { dataKeySecret: own });
    const found = findings(stack);
    expect(found.some((f) => f.startsWith('AwsSolutions-SMG4 at TestStack/Unrotated'))).toBe(true);
    expect(found.some((f) => f.startsWith('AwsSolutions-SMG4 at TestStack/Tracker'))).toBe(false);
  });

  describe('as a Validations plugin during synthesis', () => {
    let outdir: string;
    beforeEach(() => {
      outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracker-nag-'));
    });
    afterEach(() => fs.rmSync(outdir, { recursive: true, force: true }));

    function appWithNag(): App {
      const app = new App({ outdir, context: newApp().node.getAllContext() });
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
      return app;
    }

    test('the default tracker synthesizes with the AwsSolutions plugin', () => {
      const app = appWithNag();
      new ConcurrencyTracker(newStack(app), 'Tracker');
      expect(() => app.synth()).not.toThrow();
    });

    test('synthesis fails on a finding the tracker does not own', () => {
      const app = appWithNag();
      const stack = newStack(app);
      new ConcurrencyTracker(stack, 'Tracker');
      new secretsmanager.Secret(stack, 'Unrotated');
      expect(() => app.synth()).toThrow(/AwsSolutions-SMG4/);
    });
  });
});

describe('the five cdk-nag packs on a hardened configuration', () => {
  // What a regulated adopter sets: a VPC with private subnets (NAT) for the subscriber, one
  // customer-managed key for logs and secrets, a WAF web ACL, reserved concurrency, alarms that
  // page. The VPC, key and topic are the adopter's own resources, so only findings on what the
  // tracker creates (its construct path) count; every one left is acknowledged inside the
  // construct with its reason.
  function hardenedStack(): Stack {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    new ConcurrencyTracker(stack, 'Tracker', {
      vpc: new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1, flowLogs: { All: {} } }),
      encryptionKey: key,
      webAclArn: 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/tracker/abc',
      tokenVendingFunction: { reservedConcurrentExecutions: 100 },
      entitlementFunction: { reservedConcurrentExecutions: 100 },
      monitoring: {
        alarmTopic: new sns.Topic(stack, 'Pager', { masterKey: key }),
        apiLatencyThreshold: Duration.seconds(3),
      },
    });
    return stack;
  }

  const packs: Array<[string, (stack: Stack) => NagPack]> = [
    ['AwsSolutions', (stack) => new AwsSolutionsChecks(stack)],
    ['Serverless', (stack) => new ServerlessChecks(stack)],
    ['NIST 800-53 R5', (stack) => new NIST80053R5Checks(stack)],
    ['HIPAA Security', (stack) => new HIPAASecurityChecks(stack)],
    ['PCI DSS 3.2.1', (stack) => new PCIDSS321Checks(stack)],
  ];

  let stack: Stack;
  beforeAll(() => {
    stack = hardenedStack();
  });

  test.each(packs)('%s: no unacknowledged finding on what the tracker creates', (_name, pack) => {
    const report = pack(stack).validateScope(stack);
    const onTracker = report.violations.flatMap((v) =>
      v.violatingResources
        .filter((r) => (r.constructPath ?? '').startsWith('TestStack/Tracker/'))
        .map((r) => `${v.ruleName} at ${r.constructPath}`),
    );
    expect(onTracker).toEqual([]);
  });

  test('the check is live: without the hardening props the regulated packs report the tracker', () => {
    const plain = newStack();
    new ConcurrencyTracker(plain, 'Tracker');
    const report = new NIST80053R5Checks(plain).validateScope(plain);
    const rules = new Set(
      report.violations
        .filter((v) => v.violatingResources.some((r) => (r.constructPath ?? '').startsWith('TestStack/Tracker/')))
        .map((v) => v.ruleName),
    );
    // Unencrypted log groups (no encryptionKey) and no WAF are not acknowledged: the props fix them.
    expect([...rules]).toEqual(
      expect.arrayContaining(['NIST.800.53.R5-CloudWatchLogGroupEncrypted', 'NIST.800.53.R5-APIGWAssociatedWithWAF']),
    );
  });
});
