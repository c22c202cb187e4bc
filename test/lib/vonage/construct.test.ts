import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConcurrencyTracker, ConcurrencyTrackerProps, TrackerAuthorization } from '../../../lib';
import {
  VonageSessionMonitoring,
  VonageSessionMonitoringProps,
  VonageStreamKind,
} from '../../../lib/vonage-session-monitoring';
import { parseRoomPolicies } from '../../../lambda/vonage/room-policy';
import { parseVonageConfig } from '../../../lambda/vonage/vonage-config';
import { assetHashSerializer } from '../support/asset-hash-serializer';
import { ensureBundles } from '../../../bin/ensure-bundles';

expect.addSnapshotSerializer(assetHashSerializer);

/** A tracker (IAM by default) with the lesson's Vonage monitoring beside it, built from its props. */
function build(overrides: Partial<VonageSessionMonitoringProps> = {}, trackerProps: ConcurrencyTrackerProps = {}) {
  const app = new App();
  const stack = new Stack(app, 'VonageStack');
  const tracker = new ConcurrencyTracker(stack, 'Tracker', {
    cacheName: 'tracker',
    dataKeySecret: secretsmanager.Secret.fromSecretNameV2(stack, 'DataKey', 'momento/data'),
    ...trackerProps,
  });
  const monitoring = new VonageSessionMonitoring(stack, 'Vonage', {
    tracker,
    applicationId: 'c1a2b3c4-0000-4000-8000-00000000feed',
    privateKey: secretsmanager.Secret.fromSecretNameV2(stack, 'PrivateKey', 'vonage/private-key'),
    callbackSignatureSecret: secretsmanager.Secret.fromSecretNameV2(
      stack,
      'SignatureSecret',
      'vonage/signature-secret',
    ),
    roomTypes: {
      'one-to-one': {
        capacity: 2,
        duration: Duration.hours(1),
        durationStartsWhen: 2,
        ticketsRequired: true,
        defaultRole: 'student',
        publish: {
          teacher: [VonageStreamKind.CAMERA, VonageStreamKind.SCREEN, VonageStreamKind.AUDIO],
          '*': [VonageStreamKind.CAMERA, VonageStreamKind.AUDIO],
        },
      },
      webinar: { capacity: 50 },
    },
    rooms: [{ pattern: 'lesson-*', roomType: 'one-to-one' }],
    defaultRoomType: 'webinar',
    ...overrides,
  });
  return { stack, tracker, monitoring, template: Template.fromStack(stack) };
}

/** Path of the tracker's `vonage` API resource in the build above. */
const VONAGE_ROUTES = 'VonageStack/Tracker/Api/Api/Default/vonage';

let lessonBuild: ReturnType<typeof build> | undefined;
/** The lesson configuration, synthesized once for the tests that only read it. */
function lesson(): ReturnType<typeof build> {
  lessonBuild ??= build();
  return lessonBuild;
}

function functionEnvironment(template: Template, service: string): Record<string, unknown> {
  const fns = template.findResources('AWS::Lambda::Function', {
    Properties: { Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: service }) } },
  });
  const [fn] = Object.values(fns);
  expect(fn).toBeDefined();
  return fn.Properties.Environment.Variables as Record<string, unknown>;
}

/** Policy statements granting secret reads, per function service name. */
function secretReadsOf(template: Template, stack: Stack, monitoring: VonageSessionMonitoring) {
  const reads: Record<string, string> = {};
  for (const [key, fn] of [
    ['callback', monitoring.callbackFunction],
    ['tokens', monitoring.tokenFunction],
    ['check', monitoring.durationCheckFunction],
  ] as const) {
    const roleId = stack.getLogicalId(fn.role!.node.defaultChild as never);
    const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } });
    reads[key] = JSON.stringify(Object.values(policies).map((p) => p.Properties.PolicyDocument));
  }
  return reads;
}

beforeAll(() => ensureBundles());

describe('VonageSessionMonitoring', () => {
  test("adds POST /vonage/session-monitoring without API authorisation and POST /vonage/tokens with the API's", () => {
    const { template } = lesson();
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'vonage' });
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'session-monitoring' });
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'tokens' });
    template.hasResourceProperties('AWS::ApiGateway::Model', { Schema: Match.objectLike({ required: ['roomId'] }) });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      AuthorizationType: 'AWS_IAM',
      RequestValidatorId: Match.anyValue(),
      RequestModels: { 'application/json': Match.anyValue() },
    });
    // The tracker's four routes and the token route use IAM; only the callback has none.
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method')).map(
      (m) => m.Properties.AuthorizationType,
    );
    expect(methods.sort()).toEqual(['AWS_IAM', 'AWS_IAM', 'AWS_IAM', 'AWS_IAM', 'AWS_IAM', 'NONE']);
  });

  test('creates three functions pinned to Node.js 22 on arm64 from their bundles, with the room policies the runtime accepts', () => {
    const { template } = lesson();
    for (const service of ['vonage-session-monitoring', 'vonage-tokens', 'vonage-duration-check']) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: service }) },
      });
    }
    const env = functionEnvironment(template, 'vonage-session-monitoring') as Record<string, string>;
    expect(env).toMatchObject({
      CACHE_NAME: 'tracker',
      VONAGE_APPLICATION_ID: 'c1a2b3c4-0000-4000-8000-00000000feed',
      VONAGE_TOKEN_TTL_SECONDS: '3600',
    });
    expect(env.VONAGE_CALLBACK_SECRET_ARN).toBeDefined();
    // The synthesized environment is accepted by the runtime's own configuration schema.
    // (Secret ARNs are CloudFormation references here; any string stands in for them.)
    const resolved = Object.fromEntries(
      Object.entries(env).map(([k, v]) => [k, typeof v === 'string' ? v : 'arn:aws:secretsmanager:resolved']),
    );
    const config = parseVonageConfig(resolved, 3);
    expect(config.policies).toEqual(parseRoomPolicies(env.VONAGE_ROOM_POLICIES));
    expect(config.policies.types['one-to-one']).toMatchObject({
      capacity: 2,
      durationSeconds: 3600,
      durationStartsWhen: 2,
      admission: 'tickets',
    });
    // No key material in any environment: only ARNs.
    const tokensEnv = functionEnvironment(template, 'vonage-tokens');
    expect(tokensEnv.VONAGE_CALLBACK_SECRET_ARN).toBeUndefined();
    expect(JSON.stringify(template.toJSON())).not.toMatch(/BEGIN (RSA )?PRIVATE KEY/);
  });

  test('grants each function only the secrets it needs', () => {
    const { template, stack, monitoring } = lesson();
    const reads = secretReadsOf(template, stack, monitoring);
    expect(reads.callback).toContain('vonage/signature-secret');
    expect(reads.tokens).not.toContain('vonage/signature-secret');
    expect(reads.check).not.toContain('vonage/signature-secret');
    for (const read of Object.values(reads)) {
      expect(read).toContain('vonage/private-key');
      expect(read).toContain('momento/data');
      expect(read).toContain('secretsmanager:GetSecretValue');
    }
  });

  test('runs the duration check every minute from an EventBridge rule', () => {
    const { template, stack, monitoring } = lesson();
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: {
            'Fn::GetAtt': [stack.getLogicalId(monitoring.durationCheckFunction.node.defaultChild as never), 'Arn'],
          },
        }),
      ],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'events.amazonaws.com',
      Action: 'lambda:InvokeFunction',
    });
  });

  test("grants PutEvents on the tracker's event bus, and nothing when lifecycle events are off", () => {
    const withEvents = lesson();
    expect(secretReadsOf(withEvents.template, withEvents.stack, withEvents.monitoring).tokens).toContain(
      'events:PutEvents',
    );
    const without = build({}, { lifecycleEvents: false });
    expect(secretReadsOf(without.template, without.stack, without.monitoring).tokens).not.toContain('events:PutEvents');
    expect(functionEnvironment(without.template, 'vonage-tokens').EVENT_BUS_NAME).toBeUndefined();
  });

  test('snapshot of the lesson configuration (asset hashes masked)', () => {
    expect(lesson().template.toJSON()).toMatchSnapshot();
  });

  test.each([
    [{ roomTypes: { tiny: { capacity: 0 } }, defaultRoomType: 'tiny' }, /capacity must be a whole number/],
    [{ rooms: [{ pattern: 'x-*', roomType: 'missing' }] }, /room type "missing" is not defined/],
    [
      { roomTypes: { a: { capacity: 2, durationStartsWhen: 3 } }, defaultRoomType: 'a' },
      /durationStartsWhen must be from 1 to its capacity/,
    ],
    [
      { roomTypes: { a: { capacity: 2, duration: Duration.seconds(10) } }, defaultRoomType: 'a' },
      /at least one minute/,
    ],
    [{ applicationId: ' ' }, /applicationId is empty/],
  ] as Array<[Partial<VonageSessionMonitoringProps>, RegExp]>)(
    'refuses bad props with a message that says what to change (%#)',
    (overrides, message) => {
      expect(() => build(overrides)).toThrow(message);
    },
  );

  test('lists every bad prop in one error that names the construct path', () => {
    const overrides = { applicationId: ' ', accountLimit: -1, roomTypes: { a: { capacity: 0 } }, defaultRoomType: 'a' };
    expect(() => build(overrides)).toThrow(
      /VonageSessionMonitoring at 'VonageStack\/Vonage' has invalid props:\n- vonage.applicationId is empty.*\n- .*capacity must be a whole number.*\n- vonage.accountLimit/s,
    );
  });

  describe('cdk-nag AwsSolutions', () => {
    function findingsUnder(stack: Stack, prefix: string): string[] {
      const report = new AwsSolutionsChecks(stack).validateScope(stack);
      return report.violations.flatMap((v) =>
        v.violatingResources
          .filter((r) => (r.constructPath ?? '').startsWith(prefix))
          .map((r) => `${v.ruleName} at ${r.constructPath}`),
      );
    }

    test.each(['iam', 'cognito'])(
      'no unacknowledged finding on what the construct creates (token route: %s)',
      (kind) => {
        const authorization =
          kind === 'cognito'
            ? TrackerAuthorization.cognito({
                userPools: [cognito.UserPool.fromUserPoolId(new Stack(), 'Pool', 'eu-west-1_abc')],
                accountClaim: 'sub',
              })
            : TrackerAuthorization.iam();
        const { stack } = kind === 'iam' ? lesson() : build({}, { authorization });
        expect(findingsUnder(stack, 'VonageStack/Vonage')).toEqual([]);
        expect(findingsUnder(stack, VONAGE_ROUTES)).toEqual([]);
      },
    );

    test('the check is live: a token route left without authorisation is still reported', () => {
      const { stack, monitoring } = build();
      (monitoring.tokenMethod.node.defaultChild as apigw.CfnMethod).authorizationType = apigw.AuthorizationType.NONE;
      expect(findingsUnder(stack, `${VONAGE_ROUTES}/tokens`).some((f) => f.startsWith('AwsSolutions-APIG4'))).toBe(
        true,
      );
    });
  });
});
