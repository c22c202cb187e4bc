import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { buildApp } from '../../bin/app';
import { ConcurrencyTracker, TrackerAuthorization } from '../../lib';
import { recordFigures } from './figures';
import { findKeyMaterial, KEY_LIKE_NAME } from './secrets/key-material';

// Key material never reaches the synthesized template or any environment value: Lambdas get the
// secrets' ARNs, the Fargate task gets the data key as an ECS secret.
type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

function exampleTemplate(): Record<string, unknown> {
  const app = buildApp(new App());
  const stack = app.node.children.find((c): c is Stack => Stack.isStack(c));
  if (!stack) throw new Error('the example app has no stack');
  return Template.fromStack(stack).toJSON();
}

function jwtWithExistingSecretsTemplate(): Record<string, unknown> {
  const stack = new Stack(new App(), 'JwtStack');
  new ConcurrencyTracker(stack, 'Tracker', {
    authorization: TrackerAuthorization.jwt({
      issuer: 'https://issuer.example/',
      audience: ['tracker'],
      accountClaim: 'sub',
    }),
    authKeySecret: secretsmanager.Secret.fromSecretCompleteArn(
      stack,
      'Auth',
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:momento-auth-AbCdEf',
    ),
    dataKeySecret: secretsmanager.Secret.fromSecretCompleteArn(
      stack,
      'Data',
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:momento-data-AbCdEf',
    ),
  });
  return Template.fromStack(stack).toJSON();
}

interface EnvironmentValue {
  readonly where: string;
  readonly name: string;
  readonly value: unknown;
}

/** Every environment value of every Lambda function and container, with where it was found. */
function environmentValues(template: Record<string, unknown>): EnvironmentValue[] {
  const out: EnvironmentValue[] = [];
  for (const [id, resource] of Object.entries(template.Resources as Resources)) {
    if (resource.Type === 'AWS::Lambda::Function') {
      const variables =
        (resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
      for (const [name, value] of Object.entries(variables)) out.push({ where: id, name, value });
    }
    if (resource.Type === 'AWS::ECS::TaskDefinition') {
      for (const container of (resource.Properties?.ContainerDefinitions as Array<{
        Name?: string;
        Environment?: Array<{ Name: string; Value: unknown }>;
      }>) ?? []) {
        for (const variable of container.Environment ?? [])
          out.push({ where: `${id}/${container.Name}`, name: variable.Name, value: variable.Value });
      }
    }
  }
  return out;
}

/** A value that only points at a secret: an ARN (literal, Ref or joined) rather than a key. */
function isReference(value: unknown): boolean {
  const text = JSON.stringify(value);
  return typeof value === 'object' || /^"arn:aws[a-z-]*:secretsmanager:/.test(text);
}

const configurations: Array<[string, () => Record<string, unknown>]> = [
  ['the example app', exampleTemplate],
  ['JWT authorisation with existing secrets', jwtWithExistingSecretsTemplate],
];

describe('no key material in the synthesized template or any environment value', () => {
  const counted = { templates: 0, environmentValues: 0, containerSecrets: 0, findings: 0 };

  it('the scanner finds a planted key, so a clean result means something', () => {
    const planted = {
      Resources: {
        F: {
          Type: 'AWS::Lambda::Function',
          Properties: {
            Environment: { Variables: { MOMENTO_API_KEY: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJrZXkifQ.c2lnbmF0dXJl' } },
          },
        },
      },
    };
    expect(findKeyMaterial(JSON.stringify(planted))).not.toEqual([]);
    const values = environmentValues(planted);
    expect(values.filter((v) => KEY_LIKE_NAME.test(v.name) && !isReference(v.value))).toHaveLength(1);
  });

  it.each(configurations)('%s: the template holds no key material', (_, synth) => {
    const template = synth();
    counted.templates += 1;
    const findings = findKeyMaterial(JSON.stringify(template));
    counted.findings += findings.length;
    expect(findings).toEqual([]);
    for (const [id, resource] of Object.entries(template.Resources as Resources)) {
      if (resource.Type !== 'AWS::SecretsManager::Secret') continue;
      // Created secrets are empty: no value and no generated stand-in.
      expect({ id, value: resource.Properties?.SecretString }).toEqual({ id, value: undefined });
    }
  });

  it.each(configurations)('%s: environment values name secrets, never hold them', (_, synth) => {
    const values = environmentValues(synth());
    expect(values.length).toBeGreaterThan(0);
    counted.environmentValues += values.length;
    const keyLike = values.filter((v) => KEY_LIKE_NAME.test(v.name));
    counted.findings += keyLike.filter((v) => !isReference(v.value)).length;
    for (const v of keyLike) {
      expect({ ...v, reference: isReference(v.value) }).toEqual({ ...v, reference: true });
      expect(v.name).toMatch(/_ARN$/);
    }
    for (const v of values)
      expect({ ...v, findings: findKeyMaterial(JSON.stringify(v.value)) }).toEqual({ ...v, findings: [] });
  });

  it.each(configurations)('%s: the subscriber reads its keys by secret ARN, never as a value', (_, synth) => {
    const resources = synth().Resources as Resources;
    const tasks = Object.values(resources).filter((r) => r.Type === 'AWS::ECS::TaskDefinition');
    expect(tasks.length).toBeGreaterThan(0);
    for (const task of tasks) {
      const containers = task.Properties?.ContainerDefinitions as Array<{
        Secrets?: unknown[];
        Environment?: Array<{ Name: string; Value: unknown }>;
      }>;
      const environment = containers.flatMap((c) => c.Environment ?? []);
      const names = environment.map((e) => e.Name);
      // Read at run time with the task role, so a task starts before a key is put and sees a new one.
      expect(names).toEqual(expect.arrayContaining(['DATA_KEY_SECRET_ARN', 'SESSION_KEY_SECRET_ARN']));
      for (const name of ['MOMENTO_DATA_KEY', 'SESSION_KEY_SECRET']) expect(names).not.toContain(name);
      expect(containers.flatMap((c) => c.Secrets ?? [])).toEqual([]);
      const arns = environment.filter((e) => e.Name.endsWith('_SECRET_ARN'));
      for (const arn of arns)
        expect({ ...arn, reference: isReference(arn.Value) }).toEqual({ ...arn, reference: true });
      counted.containerSecrets += arns.length;
    }
  });

  afterAll(() => {
    recordFigures({
      id: 'secrets-in-template',
      promise:
        'No key material in the synthesized template or in any environment value; the subscriber reads its keys by secret ARN at run time.',
      test: 'test/reliability/secrets-in-template.test.ts',
      figures: {
        'configurations synthesized': counted.templates,
        'environment values checked': counted.environmentValues,
        'subscriber secret ARNs (by reference)': counted.containerSecrets,
        'key material found': counted.findings,
      },
    });
  });
});
