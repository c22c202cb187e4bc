import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../bin/app';
import { ConcurrencyTracker, TrackerAuthorization } from '../../lib';
import { recordFigures } from './figures';

// The handlers trust the caller's identity as API Gateway passes it, so the API itself must refuse
// a call without one: under IAM every method requires SigV4, under JWT every method has the
// authoriser. No route is open, and OPTIONS (CORS) is the only method allowed without it.
type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

function methods(
  template: Record<string, unknown>,
): Array<{ id: string; httpMethod: string; authorizationType: unknown; authorizerId: unknown }> {
  return Object.entries(template.Resources as Resources)
    .filter(([, r]) => r.Type === 'AWS::ApiGateway::Method')
    .map(([id, r]) => ({
      id,
      httpMethod: String(r.Properties.HttpMethod),
      authorizationType: r.Properties.AuthorizationType,
      authorizerId: r.Properties.AuthorizerId,
    }));
}

const tally = { iam: 0, jwt: 0, open: 0 };

it('under the default IAM authorisation, every method requires a SigV4 signature', () => {
  const app = buildApp(new App());
  const stack = app.node.children.find((c): c is Stack => Stack.isStack(c));
  if (!stack) throw new Error('no stack');
  const all = methods(Template.fromStack(stack).toJSON()).filter((m) => m.httpMethod !== 'OPTIONS');
  expect(all.length).toBeGreaterThanOrEqual(3);
  tally.iam = all.filter((m) => m.authorizationType === 'AWS_IAM').length;
  tally.open += all.filter((m) => m.authorizationType !== 'AWS_IAM').length;
  expect(all.filter((m) => m.authorizationType !== 'AWS_IAM')).toEqual([]);
});

it('under JWT authorisation, every method goes through the authoriser', () => {
  const stack = new Stack(new App(), 'Jwt');
  new ConcurrencyTracker(stack, 'Tracker', {
    authorization: TrackerAuthorization.jwt({
      issuer: 'https://issuer.example/',
      audience: ['tracker'],
      accountClaim: 'sub',
    }),
  });
  const all = methods(Template.fromStack(stack).toJSON()).filter((m) => m.httpMethod !== 'OPTIONS');
  expect(all.length).toBeGreaterThanOrEqual(3);
  const guarded = all.filter((m) => m.authorizationType === 'CUSTOM' && m.authorizerId !== undefined);
  tally.jwt = guarded.length;
  tally.open += all.length - guarded.length;
  expect(all.length - guarded.length).toBe(0);
  recordFigures({
    id: 'api-authorization',
    promise:
      'A call without an identity never reaches a handler: every method requires SigV4 under IAM, and the JWT authoriser under JWT authorisation.',
    test: 'test/reliability/api-authorization.test.ts',
    figures: {
      'methods requiring SigV4 (example app)': tally.iam,
      'methods behind the JWT authoriser': tally.jwt,
      'methods open to anonymous callers': tally.open,
    },
  });
});
