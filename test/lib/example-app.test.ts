import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildApp, ConcurrencyTrackerExampleStack } from '../../bin/app';

const cdkJson = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as {
  app: string;
  context: Record<string, unknown>;
};

describe('the example app (bin/app.ts)', () => {
  let outdir: string;
  beforeAll(() => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracker-app-'));
  });
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test('synthesizes in-process, offline, with the context of cdk.json', () => {
    const app = buildApp(new App({ outdir, context: cdkJson.context }));
    const assembly = app.synth();
    const stack = assembly.getStackByName('ConcurrencyTrackerExample');
    // Environment-agnostic: no account or region, so no credentials or lookups are needed.
    expect(stack.environment.account).toBe('unknown-account');
    expect(stack.environment.region).toBe('unknown-region');
    const template = stack.template as {
      Outputs: Record<string, unknown>;
      Resources: Record<string, { Type: string }>;
    };
    expect(Object.keys(template.Outputs).sort()).toEqual(
      ['ApiUrl', 'AuthKeySecretArn', 'BackendRoleArn', 'CacheName', 'DataKeySecretArn'].sort(),
    );
    const types = new Set(Object.values(template.Resources).map((r) => r.Type));
    for (const type of [
      'AWS::ApiGateway::RestApi',
      'AWS::Lambda::Function',
      'AWS::ECS::Service',
      'AWS::SecretsManager::Secret',
      'AWS::CloudWatch::Dashboard',
    ]) {
      expect(types).toContain(type);
    }
    // The assembly carries the bundles and the image context for deploy.
    const assets = fs.readdirSync(outdir).filter((f) => f.startsWith('asset.'));
    expect(assets.length).toBeGreaterThanOrEqual(3);
    expect(assets.some((dir) => fs.existsSync(path.join(outdir, dir, 'Dockerfile')))).toBe(true);
  });

  test('the backend role may invoke the API and nothing more', () => {
    const app = new App({ context: cdkJson.context });
    const stack = new ConcurrencyTrackerExampleStack(app, 'Example');
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^BackendRole') }],
      PolicyDocument: { Statement: [Match.objectLike({ Action: 'execute-api:Invoke' })] },
    });
  });

  test('the first-deploy switch runs no subscriber task', () => {
    const app = new App({ context: { ...cdkJson.context, subscriberDesiredCount: '0' } });
    const stack = new ConcurrencyTrackerExampleStack(app, 'Example');
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::Service', { DesiredCount: 0 });
  });

  test('cdk.json runs bin/app.ts', () => {
    expect(cdkJson.app).toMatch(/bin\/app\.ts/);
  });
});
