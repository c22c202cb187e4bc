import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  ConcurrencyTracker,
  ConcurrencyTrackerProps,
  TrackerAuthorization,
  VonageSessionMonitoringOptions,
} from '../../lib';
import { newStack } from './support/tracker-stack';

// The `vonage` prop wires VonageSessionMonitoring (lib/vonage-session-monitoring.ts, tested in
// test/lambda/vonage/) into the tracker: its routes on the tracker's API under the tracker's
// authorisation, the tracker's data key, environment, bus and admission hook.

function vonageOptions(stack: Stack): VonageSessionMonitoringOptions {
  return {
    applicationId: 'c1a2b3c4-0000-4000-8000-00000000feed',
    privateKey: secretsmanager.Secret.fromSecretNameV2(stack, 'VonageKey', 'vonage/private-key'),
    callbackSignatureSecret: secretsmanager.Secret.fromSecretNameV2(stack, 'VonageSig', 'vonage/signature-secret'),
  };
}

function build(props: (stack: Stack) => ConcurrencyTrackerProps): {
  stack: Stack;
  tracker: ConcurrencyTracker;
  template: Template;
} {
  const stack = newStack();
  const tracker = new ConcurrencyTracker(stack, 'Tracker', { vonage: vonageOptions(stack), ...props(stack) });
  return { stack, tracker, template: Template.fromStack(stack) };
}

const authorizations: Array<[string, (stack: Stack) => TrackerAuthorization, string]> = [
  ['IAM', () => TrackerAuthorization.iam(), 'AWS_IAM'],
  [
    'JWT',
    () => TrackerAuthorization.jwt({ issuer: 'https://idp.example.com/', audience: ['a'], accountClaim: 'sub' }),
    'CUSTOM',
  ],
  [
    'Cognito',
    (stack) =>
      TrackerAuthorization.cognito({
        userPools: [cognito.UserPool.fromUserPoolId(stack, 'Pool', 'eu-west-1_abc')],
        accountClaim: 'sub',
      }),
    'COGNITO_USER_POOLS',
  ],
];

describe('the vonage prop', () => {
  test('no Vonage resources without it', () => {
    const stack = newStack();
    const tracker = new ConcurrencyTracker(stack, 'Tracker');
    expect(tracker.vonage).toBeUndefined();
    Template.fromStack(stack).resourceCountIs('AWS::Events::Rule', 0);
  });

  test.each(authorizations)(
    '%s: token route under the tracker authorisation, callback verified by its function, nag-clean',
    (_name, auth, type) => {
      const { stack, tracker, template } = build((s) => ({ authorization: auth(s) }));
      expect(tracker.vonage).toBeDefined();
      template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'vonage' });
      template.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'POST', AuthorizationType: 'NONE' });
      const methods = Object.values(template.findResources('AWS::ApiGateway::Method')) as Array<{
        Properties: { AuthorizationType: string };
      }>;
      // The tracker's four routes and the Vonage token route use the tracker's authorisation.
      expect(methods.filter((m) => m.Properties.AuthorizationType === type)).toHaveLength(5);
      const report = new AwsSolutionsChecks(stack).validateScope(stack);
      expect(
        report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`)),
      ).toEqual([]);
    },
  );

  test('the Vonage functions share the tracker environment, data key, bus and hook', () => {
    const { template } = build((stack) => ({
      admissionHook: lambda.Function.fromFunctionArn(
        stack,
        'Hook',
        'arn:aws:lambda:eu-west-1:123456789012:function:hook',
      ),
      cacheName: 'rooms',
    }));
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('vends a client token'),
      Environment: {
        Variables: Match.objectLike({
          CACHE_NAME: 'rooms',
          DATA_KEY_SECRET_ARN: { Ref: Match.stringLikeRegexp('TrackerSecretsDataKey') },
          ADMISSION_HOOK_ARN: 'arn:aws:lambda:eu-west-1:123456789012:function:hook',
          EVENT_BUS_NAME: 'default',
          ACCOUNT_SOURCE: 'iam',
          VONAGE_APPLICATION_ID: 'c1a2b3c4-0000-4000-8000-00000000feed',
        }),
      },
    });
    template.resourceCountIs('AWS::Events::Rule', 1);
  });
});
