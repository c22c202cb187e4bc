import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ConcurrencyTracker, TrackerAuthorization, TrackerLifecycleEvents, LifecycleEventType } from '../../lib';
import { ensureBundles } from '../../bin/ensure-bundles';
import { newStack, synthTracker } from './support/tracker-stack';

// The props a security or operations review asks for (issue 14 §3), each with its default and
// what setting it changes in the template.

beforeAll(() => ensureBundles());

describe('X-Ray tracing', () => {
  test('on by default on the stage and every Lambda', () => {
    const { template } = synthTracker({
      authorization: TrackerAuthorization.jwt({ issuer: 'https://idp', audience: ['a'], accountClaim: 'sub' }),
    });
    template.hasResourceProperties('AWS::ApiGateway::Stage', { TracingEnabled: true });
    template.resourcePropertiesCountIs('AWS::Lambda::Function', { TracingConfig: { Mode: 'Active' } }, 3);
  });

  test('tracing: false turns both off', () => {
    const { template } = synthTracker({ tracing: false });
    template.hasResourceProperties('AWS::ApiGateway::Stage', { TracingEnabled: false });
    template.resourcePropertiesCountIs('AWS::Lambda::Function', { TracingConfig: Match.anyValue() }, 0);
  });
});

describe('removal policies and the KMS key', () => {
  test('by default log groups are retained and created secrets deleted', () => {
    const { template } = synthTracker();
    const logGroups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    expect(logGroups.length).toBeGreaterThan(0);
    for (const group of logGroups) expect(group.DeletionPolicy).toBe('Retain');
    for (const secret of Object.values(template.findResources('AWS::SecretsManager::Secret')))
      expect(secret.DeletionPolicy).toBe('Delete');
  });

  test('logRemovalPolicy, secretRemovalPolicy and encryptionKey apply to every log group and created secret', () => {
    const { template } = synthTracker({}, (stack) => ({
      logRemovalPolicy: RemovalPolicy.DESTROY,
      secretRemovalPolicy: RemovalPolicy.RETAIN,
      encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }),
    }));
    for (const group of Object.values(template.findResources('AWS::Logs::LogGroup'))) {
      expect(group.DeletionPolicy).toBe('Delete');
      expect(group.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] });
    }
    const secrets = Object.values(template.findResources('AWS::SecretsManager::Secret'));
    expect(secrets).toHaveLength(3);
    for (const secret of secrets) {
      expect(secret.DeletionPolicy).toBe('Retain');
      expect(secret.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] });
    }
    // CloudWatch Logs may use the key only when its policy says so.
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({ Principal: { Service: Match.objectLike({}) }, Action: Match.arrayWith(['kms:Decrypt*']) }),
        ]),
      },
    });
  });
});

describe('API options', () => {
  test('apiCloudWatchRole is off by default, so two trackers in one stack create no account setting', () => {
    const stack = newStack();
    new ConcurrencyTracker(stack, 'A', { cacheName: 'a', metricsNamespace: 'A' });
    new ConcurrencyTracker(stack, 'B', { cacheName: 'b', metricsNamespace: 'B' });
    Template.fromStack(stack).resourceCountIs('AWS::ApiGateway::Account', 0);
  });

  test('webAclArn associates the web ACL with the stage', () => {
    const { template } = synthTracker({
      webAclArn: 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/tracker/abc',
    });
    template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      WebACLArn: 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/tracker/abc',
      ResourceArn: Match.anyValue(),
    });
    synthTracker().template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 0);
  });

  test('domainName adds the custom domain and maps it to the stage', () => {
    const { template } = synthTracker({}, (stack) => ({
      domainName: {
        domainName: 'tracker.example.com',
        certificate: acm.Certificate.fromCertificateArn(
          stack,
          'Cert',
          'arn:aws:acm:eu-west-1:123456789012:certificate/abc',
        ),
      },
    }));
    template.hasResourceProperties('AWS::ApiGateway::DomainName', { DomainName: 'tracker.example.com' });
    template.resourceCountIs('AWS::ApiGateway::BasePathMapping', 1);
  });
});

describe('per-function sizing', () => {
  test('memory, timeout and reserved concurrency of each function, defaults otherwise', () => {
    const { template } = synthTracker({
      tokenVendingFunction: { memorySize: 1024, timeout: Duration.seconds(20), reservedConcurrentExecutions: 50 },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'token-vending' }) },
      MemorySize: 1024,
      Timeout: 20,
      ReservedConcurrentExecutions: 50,
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'entitlement' }) },
      MemorySize: 256,
      Timeout: 10,
      ReservedConcurrentExecutions: Match.absent(),
    });
  });

  test('values Lambda or API Gateway cannot honour are refused together, naming the construct', () => {
    expect(() =>
      synthTracker({
        tokenVendingFunction: { memorySize: 64, timeout: Duration.seconds(60) },
        entitlementFunction: { reservedConcurrentExecutions: 0 },
        defaultLimit: 0,
      }),
    ).toThrow(
      /ConcurrencyTracker at 'TestStack\/Tracker' has invalid props:\n- defaultLimit .*\n- tokenVendingFunction.memorySize .*\n- tokenVendingFunction.timeout .*\n- entitlementFunction.reservedConcurrentExecutions/,
    );
  });
});

describe('connections and grants', () => {
  test("the tracker is IConnectable through the subscribers' security groups", () => {
    const stack = newStack();
    const tracker = new ConcurrencyTracker(stack, 'Tracker');
    const endpoint = new ec2.SecurityGroup(stack, 'Endpoint', { vpc: tracker.vpc });
    endpoint.connections.allowFrom(tracker, ec2.Port.tcp(443));
    const [subscriberGroup] = tracker.connections.securityGroups;
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 443,
      SourceSecurityGroupId: {
        'Fn::GetAtt': [stack.getLogicalId(subscriberGroup!.node.defaultChild as ec2.CfnSecurityGroup), 'GroupId'],
      },
    });
  });

  test.each([
    ['grantAdmit', ['POST/tokens']],
    ['grantCheck', ['GET/accounts/*/sessions', 'GET/accounts/*/sessions/*']],
    ['grantEvict', ['DELETE/accounts/*/sessions/*']],
  ] as const)('%s grants execute-api:Invoke on its routes only', (grant, routes) => {
    const stack = newStack();
    const tracker = new ConcurrencyTracker(stack, 'Tracker');
    const role = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    tracker[grant](role);
    const policy = JSON.stringify(stack.resolve((role.node.findChild('DefaultPolicy') as iam.Policy).document));
    const granted = [...policy.matchAll(/\/v1\/([A-Z]+\/[^"]*)"/g)].map((m) => m[1]);
    expect(granted.sort()).toEqual([...routes].sort());
  });
});

describe('alarms', () => {
  test('API 5xx, API latency and Lambda throttles alarms, and the alarm topic on every alarm', () => {
    const { template, tracker } = synthTracker({}, (stack: Stack) => ({
      monitoring: { alarmTopic: new sns.Topic(stack, 'Pager'), apiLatencyThreshold: Duration.seconds(2) },
    }));
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: '5XXError', Threshold: 5 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Latency',
      ExtendedStatistic: 'p99',
      Threshold: 2000,
    });
    expect(tracker.alarms.map((a) => a.node.id)).toEqual(
      expect.arrayContaining(['ApiServerErrors', 'ApiLatency', 'LambdaThrottles']),
    );
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^Pager/) }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: expect.stringMatching(/^Pager/) }]);
    }
  });
});

test('TrackerLifecycleEvents gives the source and a pattern for a rule', () => {
  expect(TrackerLifecycleEvents.eventPattern(LifecycleEventType.SESSION_EVICTED)).toEqual({
    source: [TrackerLifecycleEvents.SOURCE],
    detailType: ['Session Evicted'],
  });
  expect(TrackerLifecycleEvents.eventPattern()).toEqual({ source: [TrackerLifecycleEvents.SOURCE] });
});
