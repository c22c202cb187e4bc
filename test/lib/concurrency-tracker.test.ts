import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as cxapi from 'aws-cdk-lib/cx-api';
import {
  AtLimitBehavior,
  ConcurrencyTracker,
  CountingStrategy,
  FailureMode,
  LimitScope,
  TrackerAuthorization,
  TrackerComponent,
} from '../../lib';
import { newStack, synthTracker } from './support/tracker-stack';

/** The environment of the Lambda whose description starts with `description`. */
function lambdaEnvironment(template: Template, description: string): Record<string, unknown> {
  const fns = template.findResources('AWS::Lambda::Function', {
    Properties: { Description: Match.stringLikeRegexp(`^${description}`) },
  });
  const list = Object.values(fns);
  expect(list).toHaveLength(1);
  return (list[0] as { Properties: { Environment: { Variables: Record<string, unknown> } } }).Properties.Environment
    .Variables;
}

/** The environment of the subscriber container of the nth task definition. */
function subscriberEnvironment(template: Template, n = 0): Record<string, unknown> {
  const defs = Object.values(template.findResources('AWS::ECS::TaskDefinition')) as Array<{
    Properties: { ContainerDefinitions: Array<{ Environment: Array<{ Name: string; Value: unknown }> }> };
  }>;
  return Object.fromEntries(defs[n].Properties.ContainerDefinitions[0].Environment.map((e) => [e.Name, e.Value]));
}

const TOKEN_VENDING = 'Admits a device';
const ENTITLEMENT = 'Counts an account';

describe('ConcurrencyTracker with defaults', () => {
  const { template, tracker } = synthTracker();

  test('creates both Lambdas pinned to Node.js 22 on arm64 from the prebuilt bundles', () => {
    for (const description of [TOKEN_VENDING, ENTITLEMENT]) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Description: Match.stringLikeRegexp(`^${description}`),
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        Code: { S3Key: Match.stringLikeRegexp('\\.zip$') },
        LoggingConfig: { LogFormat: 'JSON', LogGroup: Match.anyValue() },
      });
    }
    // Plus the CDK custom resource that closes the created VPC's default security group.
    expect(
      Object.keys(
        template.findResources('AWS::Lambda::Function', {
          Properties: { Runtime: 'nodejs22.x', Architectures: ['arm64'] },
        }),
      ),
    ).toHaveLength(2);
  });

  test('passes the runtime contract to the token-vending Lambda, with secrets only as ARNs', () => {
    const env = lambdaEnvironment(template, TOKEN_VENDING);
    expect(env).toMatchObject({
      CACHE_NAME: 'concurrency-tracker',
      HEARTBEAT_TOPIC: 'heartbeat',
      TOPIC_SHARDS: '1',
      CONTROL_TOPIC_PREFIX: 'control-',
      HEARTBEAT_INTERVAL_SECONDS: '10',
      LEASE_SECONDS: '30',
      DEFAULT_LIMIT: '3',
      AT_LIMIT: 'reject',
      LIMIT_SCOPE: 'account',
      COUNTING_STRATEGY: 'leases',
      MAX_SESSION_SECONDS: '0',
      TOKEN_TTL_SECONDS: '3600',
      FAILURE_MODE: 'closed',
      MOMENTO_TIMEOUT_MS: '2000',
      ACCOUNT_SOURCE: 'iam',
      POWERTOOLS_SERVICE_NAME: 'token-vending',
      POWERTOOLS_METRICS_NAMESPACE: 'ConcurrencyTracker',
      EVENT_BUS_NAME: 'default',
      AUTH_KEY_SECRET_ARN: { Ref: expect.stringMatching(/SecretsAuthKey/) },
      DATA_KEY_SECRET_ARN: { Ref: expect.stringMatching(/SecretsDataKey/) },
    });
    expect(env).not.toHaveProperty('ADMISSION_HOOK_ARN');
    expect(env).not.toHaveProperty('ACCOUNT_CLAIM');
  });

  test('gives the entitlement Lambda the data-key secret only', () => {
    const env = lambdaEnvironment(template, ENTITLEMENT);
    expect(env).toMatchObject({
      DATA_KEY_SECRET_ARN: { Ref: expect.stringMatching(/SecretsDataKey/) },
      POWERTOOLS_SERVICE_NAME: 'entitlement',
      ACCOUNT_SOURCE: 'iam',
    });
    expect(env).not.toHaveProperty('AUTH_KEY_SECRET_ARN');
    expect(env).not.toHaveProperty('AT_LIMIT');
    expect(env).not.toHaveProperty('TOKEN_TTL_SECONDS');
  });

  test('grants each function read access to exactly the secrets it needs', () => {
    const policies = template.findResources('AWS::IAM::Policy');
    const secretReadersOf = (secretLogicalIdPart: string) =>
      Object.entries(policies)
        .filter(
          ([, p]) =>
            JSON.stringify((p as { Properties: unknown }).Properties).includes(secretLogicalIdPart) &&
            JSON.stringify(p).includes('secretsmanager:GetSecretValue'),
        )
        .map(([id]) => id)
        .sort();
    const authReaders = secretReadersOf('SecretsAuthKey');
    const dataReaders = secretReadersOf('SecretsDataKey');
    expect(authReaders).toHaveLength(1);
    expect(authReaders[0]).toMatch(/TokenVending/);
    expect(dataReaders.some((id) => /TokenVending/.test(id))).toBe(true);
    expect(dataReaders.some((id) => /Entitlement/.test(id))).toBe(true);
    expect(dataReaders.some((id) => /SubscriberTaskTaskRole/.test(id))).toBe(true);
    expect(dataReaders).toHaveLength(3);
  });

  test('creates both Momento key secrets empty: no generated value, no secret string', () => {
    // The third secret is the generated session-key secret (test/lib/session-key-secret.test.ts).
    template.resourceCountIs('AWS::SecretsManager::Secret', 3);
    const momentoSecrets = Object.entries(template.findResources('AWS::SecretsManager::Secret')).filter(([id]) =>
      id.startsWith('TrackerSecrets'),
    );
    expect(momentoSecrets).toHaveLength(2);
    for (const [, secret] of momentoSecrets) {
      const props = (secret as { Properties: Record<string, unknown> }).Properties;
      expect(props).not.toHaveProperty('GenerateSecretString');
      expect(props).not.toHaveProperty('SecretString');
      expect(props.Description).toMatch(/Momento API key/);
    }
  });

  test('puts no key material in any environment value', () => {
    const json = template.toJSON() as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    const values: Array<[string, unknown]> = [];
    for (const resource of Object.values(json.Resources)) {
      if (resource.Type === 'AWS::Lambda::Function' && resource.Properties.Environment) {
        const vars = (resource.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
        values.push(...Object.entries(vars));
      }
      if (resource.Type === 'AWS::ECS::TaskDefinition') {
        for (const c of resource.Properties.ContainerDefinitions as Array<{
          Environment: Array<{ Name: string; Value: unknown }>;
        }>) {
          values.push(...c.Environment.map((e): [string, unknown] => [e.Name, e.Value]));
        }
      }
    }
    expect(values.length).toBeGreaterThan(20);
    for (const [name, value] of values) {
      // Secrets travel only as references to Secrets Manager ARNs ...
      if (/SECRET/.test(name))
        expect(value).toEqual({ Ref: expect.stringMatching(/^Tracker(Secrets|SessionKeySecret)/) });
      // ... and no literal looks like a Momento key (a base64url JWT) or any long opaque string.
      if (typeof value === 'string') {
        expect(value).not.toMatch(/^eyJ/);
        expect(value.length).toBeLessThan(64);
      }
    }
    expect(values.map(([name]) => name)).not.toContain('MOMENTO_DATA_KEY');
    expect(JSON.stringify(json)).not.toContain('"SecretString"'); // GenerateSecretString (the session-key secret) is no value
  });

  test('creates a regional REST API with the four routes, all IAM-authorised', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      EndpointConfiguration: { Types: ['REGIONAL'] },
    });
    for (const path of ['tokens', 'accounts', '{accountId}', 'sessions', '{sessionId}']) {
      template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: path });
    }
    template.resourceCountIs('AWS::ApiGateway::Method', 4);
    for (const method of ['POST', 'GET', 'DELETE']) {
      template.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: method, AuthorizationType: 'AWS_IAM' });
    }
    template.resourceCountIs('AWS::ApiGateway::Authorizer', 0);
  });

  test('validates the POST /tokens body against a JSON-schema model and requires the path parameters', () => {
    template.hasResourceProperties('AWS::ApiGateway::Model', {
      ContentType: 'application/json',
      Schema: Match.objectLike({
        type: 'object',
        required: ['deviceId'],
        properties: Match.objectLike({ deviceId: Match.objectLike({ type: 'string' }) }),
      }),
    });
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', {
      ValidateRequestBody: true,
      ValidateRequestParameters: true,
    });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      RequestValidatorId: Match.anyValue(),
      RequestModels: { 'application/json': Match.anyValue() },
    });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'GET',
      RequestValidatorId: Match.anyValue(),
      RequestParameters: { 'method.request.path.accountId': true },
    });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'DELETE',
      RequestParameters: { 'method.request.path.accountId': true, 'method.request.path.sessionId': true },
    });
    // The session check.
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'GET',
      RequestValidatorId: Match.anyValue(),
      RequestParameters: { 'method.request.path.accountId': true, 'method.request.path.sessionId': true },
    });
  });

  test('answers validation failures with the contract error body', () => {
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'BAD_REQUEST_BODY',
      ResponseTemplates: { 'application/json': '{"error":"invalid-request","message":$context.error.messageString}' },
    });
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', { ResponseType: 'DEFAULT_4XX' });
  });

  test('logs access to a log group with retention and throttles the stage', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
      MethodSettings: Match.arrayWith([
        Match.objectLike({
          ThrottlingRateLimit: 50,
          ThrottlingBurstLimit: 100,
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
        }),
      ]),
    });
    // One per account and region: off by default, so two trackers never fight over it.
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
    synthTracker({ apiCloudWatchRole: true }).template.hasResourceProperties('AWS::ApiGateway::Account', {
      CloudWatchRoleArn: Match.anyValue(),
    });
  });

  test('gives every log group a retention', () => {
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup')) as Array<{
      Properties: { RetentionInDays?: number };
    }>;
    expect(groups.length).toBeGreaterThanOrEqual(5);
    for (const group of groups) expect(group.Properties.RetentionInDays).toBe(30);
  });

  test('runs the subscriber on Fargate arm64, reading its secrets by ARN (no ECS secret), with a health check', () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RequiresCompatibilities: ['FARGATE'],
      Cpu: '256',
      Memory: '512',
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
      ContainerDefinitions: [
        Match.objectLike({
          Image: Match.anyValue(),
          ReadonlyRootFilesystem: true,
          Secrets: Match.absent(),
          HealthCheck: Match.objectLike({
            Command: Match.arrayWith([Match.stringLikeRegexp('127\\.0\\.0\\.1:8080/health')]),
          }),
          LogConfiguration: Match.objectLike({ LogDriver: 'awslogs' }),
        }),
      ],
    });
    const env = subscriberEnvironment(template);
    expect(env).toMatchObject({
      SUBSCRIBER_SHARDS: '0',
      HEALTH_PORT: '8080',
      TOPIC_SHARDS: '1',
      POWERTOOLS_SERVICE_NAME: 'heartbeat-subscriber',
      EVENT_BUS_NAME: 'default',
    });
    expect(env.DATA_KEY_SECRET_ARN).toEqual({ Ref: expect.stringMatching(/^TrackerSecretsDataKey/) });
    expect(env.SESSION_KEY_SECRET_ARN).toEqual({ Ref: expect.stringMatching(/^TrackerSessionKeySecret/) });
    expect(env).not.toHaveProperty('AUTH_KEY_SECRET_ARN');
    // The task role (not the execution role) may read the data key: the process reads it itself.
    const taskRole = template.findResources('AWS::ECS::TaskDefinition');
    const taskRoleRef = (
      Object.values(taskRole)[0] as { Properties: { TaskRoleArn: { 'Fn::GetAtt': [string, string] } } }
    ).Properties.TaskRoleArn['Fn::GetAtt'][0];
    const taskPolicy = Object.values(template.findResources('AWS::IAM::Policy')).find(
      (policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: taskRoleRef }]),
    );
    expect(JSON.stringify(taskPolicy)).toContain('secretsmanager:GetSecretValue');
    expect(JSON.stringify(taskPolicy)).toMatch(/"Ref":"TrackerSecretsDataKey/);
  });

  test('deploys the subscriber so running tasks keep going while new ones start', () => {
    template.hasResourceProperties('AWS::ECS::Service', {
      LaunchType: 'FARGATE',
      DesiredCount: 2,
      DeploymentConfiguration: Match.objectLike({
        MinimumHealthyPercent: 100,
        MaximumPercent: 200,
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
      }),
      NetworkConfiguration: {
        AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'ENABLED' }),
      },
    });
  });

  test('creates a VPC without NAT gateways, with rejected-traffic flow logs, and a cluster with Container Insights', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'REJECT' });
    template.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
    });
  });

  test('lets the subscriber out on HTTPS only and in on nothing', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('Heartbeat subscriber'),
      SecurityGroupEgress: [Match.objectLike({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443 })],
      SecurityGroupIngress: Match.absent(),
    });
  });

  test('lets the Lambdas and the subscriber put lifecycle events on the default bus', () => {
    const putEvents = Object.entries(template.findResources('AWS::IAM::Policy'))
      .filter(([, p]) => JSON.stringify(p).includes('events:PutEvents'))
      .map(([id]) => id);
    expect(putEvents).toHaveLength(3);
    expect(putEvents.some((id) => /TokenVending/.test(id))).toBe(true);
    expect(putEvents.some((id) => /Entitlement/.test(id))).toBe(true);
    expect(putEvents.some((id) => /SubscriberTaskTaskRole/.test(id))).toBe(true);
  });

  test('adds no CfnOutput (outputs belong to the consumer stack)', () => {
    expect(template.toJSON().Outputs).toBeUndefined();
  });

  test('creates no dashboard or alarms unless asked', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    expect(tracker.alarms).toEqual([]);
    expect(tracker.dashboard).toBeUndefined();
  });

  test('exposes what it created', () => {
    expect(tracker.subscriberServices).toHaveLength(1);
    expect(tracker.subscriberLogGroups).toHaveLength(1);
    expect(tracker.jwtAuthorizerFunction).toBeUndefined();
    expect(tracker.cacheName).toBe('concurrency-tracker');
    expect(tracker.metricsNamespace).toBe('ConcurrencyTracker');
    expect(Stack.of(tracker).resolve(tracker.apiUrl)).toBeDefined();
  });
});

describe('ConcurrencyTracker props', () => {
  test('timing, limits, strategy and failure mode reach the runtime environment', () => {
    const { template } = synthTracker({
      cacheName: 'my-cache',
      heartbeatTopicName: 'beats',
      controlTopicPrefix: 'ctl-',
      heartbeatInterval: Duration.seconds(5),
      leaseDuration: Duration.seconds(20),
      defaultLimit: 2,
      atLimit: AtLimitBehavior.EVICT_OLDEST,
      limitScope: LimitScope.ACCOUNT_CONTENT,
      countingStrategy: CountingStrategy.INTERVAL_DICTIONARY,
      maxSessionDuration: Duration.hours(1),
      tokenLifetime: Duration.hours(2),
      failureMode: FailureMode.OPEN,
      momentoTimeout: Duration.millis(750),
      metricsNamespace: 'Video/Concurrency',
    });
    const env = lambdaEnvironment(template, TOKEN_VENDING);
    expect(env).toMatchObject({
      CACHE_NAME: 'my-cache',
      HEARTBEAT_TOPIC: 'beats',
      CONTROL_TOPIC_PREFIX: 'ctl-',
      HEARTBEAT_INTERVAL_SECONDS: '5',
      LEASE_SECONDS: '20',
      DEFAULT_LIMIT: '2',
      AT_LIMIT: 'evict-oldest',
      LIMIT_SCOPE: 'account-content',
      COUNTING_STRATEGY: 'interval-dictionary',
      MAX_SESSION_SECONDS: '3600',
      TOKEN_TTL_SECONDS: '7200',
      FAILURE_MODE: 'open',
      MOMENTO_TIMEOUT_MS: '750',
      POWERTOOLS_METRICS_NAMESPACE: 'Video/Concurrency',
    });
    expect(subscriberEnvironment(template)).toMatchObject({ LEASE_SECONDS: '20', CACHE_NAME: 'my-cache' });
  });

  test('the default lease is three heartbeat intervals', () => {
    const { template } = synthTracker({ heartbeatInterval: Duration.seconds(4) });
    expect(lambdaEnvironment(template, ENTITLEMENT)).toMatchObject({
      HEARTBEAT_INTERVAL_SECONDS: '4',
      LEASE_SECONDS: '12',
    });
  });

  test('an admission hook is passed by ARN and the token-vending Lambda may invoke it', () => {
    const { template } = synthTracker({}, (stack) => ({
      admissionHook: lambda.Function.fromFunctionArn(
        stack,
        'Hook',
        'arn:aws:lambda:eu-west-1:123456789012:function:tier-hook',
      ),
    }));
    expect(lambdaEnvironment(template, TOKEN_VENDING)).toMatchObject({
      ADMISSION_HOOK_ARN: 'arn:aws:lambda:eu-west-1:123456789012:function:tier-hook',
    });
    expect(lambdaEnvironment(template, ENTITLEMENT)).not.toHaveProperty('ADMISSION_HOOK_ARN');
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyName: Match.stringLikeRegexp('TokenVending'),
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'lambda:InvokeFunction',
            Resource: 'arn:aws:lambda:eu-west-1:123456789012:function:tier-hook',
          }),
        ]),
      },
    });
  });

  test('existing secrets are used and none is created', () => {
    const { template } = synthTracker({}, (stack) => ({
      authKeySecret: secretsmanager.Secret.fromSecretNameV2(stack, 'Auth', 'momento/auth'),
      dataKeySecret: secretsmanager.Secret.fromSecretNameV2(stack, 'Data', 'momento/data'),
    }));
    // Only the generated session-key secret, which is never the user's to bring.
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    expect(JSON.stringify(lambdaEnvironment(template, TOKEN_VENDING).AUTH_KEY_SECRET_ARN)).toMatch(
      /secret:momento\/auth/,
    );
  });

  test('an existing VPC with private subnets hosts the subscriber without public IPs; no VPC is created', () => {
    const { template } = synthTracker({}, (stack) => ({
      vpc: new ec2.Vpc(stack, 'Existing', { maxAzs: 2, natGateways: 1 }),
    }));
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::EC2::FlowLog', 0);
    template.hasResourceProperties('AWS::ECS::Service', {
      NetworkConfiguration: {
        AwsvpcConfiguration: Match.objectLike({
          AssignPublicIp: 'DISABLED',
          Subnets: Match.arrayWith([{ Ref: Match.stringLikeRegexp('ExistingPrivateSubnet') }]),
        }),
      },
    });
  });

  test('subscriberSubnets picks the subnets; public ones get a public IP', () => {
    const { template } = synthTracker({}, (stack) => ({
      vpc: new ec2.Vpc(stack, 'Existing', { maxAzs: 2, natGateways: 1 }),
      subscriberSubnets: { subnetType: ec2.SubnetType.PUBLIC },
    }));
    template.hasResourceProperties('AWS::ECS::Service', {
      NetworkConfiguration: {
        AwsvpcConfiguration: Match.objectLike({
          AssignPublicIp: 'ENABLED',
          Subnets: [
            { Ref: Match.stringLikeRegexp('ExistingPublicSubnet1') },
            { Ref: Match.stringLikeRegexp('ExistingPublicSubnet2') },
          ],
        }),
      },
    });
  });

  test('an existing cluster is used and no cluster or VPC is created', () => {
    const { template, tracker } = synthTracker({}, (stack) => {
      const vpc = new ec2.Vpc(stack, 'Existing', { maxAzs: 2, natGateways: 1 });
      return { cluster: new ecs.Cluster(stack, 'Shared', { vpc }) };
    });
    template.resourceCountIs('AWS::ECS::Cluster', 1);
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.hasResourceProperties('AWS::ECS::Service', { Cluster: { Ref: Match.stringLikeRegexp('^Shared') } });
    expect(tracker.cluster.node.id).toBe('Shared');
  });

  test('subscriber size and count', () => {
    const { template } = synthTracker({ subscriberCpu: 512, subscriberMemoryMiB: 2048, subscriberDesiredCount: 3 });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: '512', Memory: '2048' });
    template.hasResourceProperties('AWS::ECS::Service', { DesiredCount: 3 });
  });

  test('topic shards are split over subscriber groups, one Fargate service per group', () => {
    const { template, tracker } = synthTracker({ topicShards: 5, subscriberGroups: 2 });
    template.resourceCountIs('AWS::ECS::Service', 2);
    expect(tracker.subscriberServices).toHaveLength(2);
    expect(subscriberEnvironment(template, 0)).toMatchObject({ TOPIC_SHARDS: '5', SUBSCRIBER_SHARDS: '0,1,2' });
    expect(subscriberEnvironment(template, 1)).toMatchObject({ TOPIC_SHARDS: '5', SUBSCRIBER_SHARDS: '3,4' });
    expect(lambdaEnvironment(template, TOKEN_VENDING)).toMatchObject({ TOPIC_SHARDS: '5' });
  });

  test('momentoEndpoint reaches every tracker Lambda, Vonage ones included, and every subscriber container', () => {
    const endpoint = 'cell-4-us-west-2-1.prod.a.momentohq.com';
    const { template } = synthTracker({ momentoEndpoint: endpoint, topicShards: 2, subscriberGroups: 2 }, (stack) => ({
      vonage: {
        applicationId: 'c1a2b3c4-0000-4000-8000-00000000feed',
        privateKey: secretsmanager.Secret.fromSecretNameV2(stack, 'VonageKey', 'vonage/private-key'),
        callbackSignatureSecret: secretsmanager.Secret.fromSecretNameV2(stack, 'VonageSig', 'vonage/signature-secret'),
      },
    }));
    const fns = Object.values(template.findResources('AWS::Lambda::Function')) as Array<{
      Properties: { Environment?: { Variables: Record<string, unknown> } };
    }>;
    const trackerFns = fns
      .map((fn) => fn.Properties.Environment?.Variables ?? {})
      .filter((vars) => 'CACHE_NAME' in vars);
    // Token vending, entitlement and the three Vonage functions.
    expect(trackerFns).toHaveLength(5);
    for (const vars of trackerFns) expect(vars.MOMENTO_ENDPOINT).toBe(endpoint);
    expect(subscriberEnvironment(template, 0).MOMENTO_ENDPOINT).toBe(endpoint);
    expect(subscriberEnvironment(template, 1).MOMENTO_ENDPOINT).toBe(endpoint);
  });

  test('without momentoEndpoint no component gets MOMENTO_ENDPOINT (legacy keys carry theirs)', () => {
    const { template } = synthTracker();
    expect(lambdaEnvironment(template, TOKEN_VENDING)).not.toHaveProperty('MOMENTO_ENDPOINT');
    expect(lambdaEnvironment(template, ENTITLEMENT)).not.toHaveProperty('MOMENTO_ENDPOINT');
    expect(subscriberEnvironment(template)).not.toHaveProperty('MOMENTO_ENDPOINT');
  });

  test('subscriberImage replaces the image built at deploy in every subscriber group', () => {
    const dockerImages = (stack: Stack) => {
      const assembly = stack.node.root as unknown as { synth(): import('aws-cdk-lib/cx-api').CloudAssembly };
      const manifests = assembly
        .synth()
        .artifacts.filter(
          (a): a is import('aws-cdk-lib/cx-api').AssetManifestArtifact => a instanceof cxapi.AssetManifestArtifact,
        );
      return manifests.flatMap((m) => Object.keys(m.contents.dockerImages ?? {}));
    };
    const image = 'public.ecr.aws/example/heartbeat-subscriber:1.2.3';
    const prebuilt = synthTracker({
      subscriberImage: ecs.ContainerImage.fromRegistry(image),
      topicShards: 2,
      subscriberGroups: 2,
    });
    const defs = Object.values(prebuilt.template.findResources('AWS::ECS::TaskDefinition')) as Array<{
      Properties: { ContainerDefinitions: Array<{ Image: unknown }> };
    }>;
    expect(defs.map((d) => d.Properties.ContainerDefinitions[0].Image)).toEqual([image, image]);
    expect(dockerImages(prebuilt.stack)).toEqual([]);
    // By default the shipped Dockerfile is built at deploy.
    expect(dockerImages(synthTracker().stack)).toHaveLength(1);
  });

  test('a passed event bus receives the events; lifecycleEvents false removes the variable and the grants', () => {
    const withBus = synthTracker({}, (stack) => ({ eventBus: new events.EventBus(stack, 'Bus') }));
    expect(lambdaEnvironment(withBus.template, TOKEN_VENDING).EVENT_BUS_NAME).toEqual({
      Ref: expect.stringMatching(/^Bus/),
    });

    const off = synthTracker({ lifecycleEvents: false });
    expect(lambdaEnvironment(off.template, TOKEN_VENDING)).not.toHaveProperty('EVENT_BUS_NAME');
    expect(subscriberEnvironment(off.template)).not.toHaveProperty('EVENT_BUS_NAME');
    expect(JSON.stringify(off.template.toJSON())).not.toContain('events:PutEvents');
    expect(off.tracker.eventBus).toBeUndefined();
  });

  test('API throttling and the CloudWatch role can be set', () => {
    const { template } = synthTracker({ apiThrottle: { rateLimit: 10, burstLimit: 20 }, apiCloudWatchRole: false });
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: Match.arrayWith([Match.objectLike({ ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 })]),
    });
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
  });

  test('log retention applies to every log group', () => {
    const { template } = synthTracker({ logRetention: logs.RetentionDays.ONE_WEEK });
    for (const group of Object.values(template.findResources('AWS::Logs::LogGroup')) as Array<{
      Properties: { RetentionInDays?: number };
    }>) {
      expect(group.Properties.RetentionInDays).toBe(7);
    }
  });

  test('Cognito authorisation: user pool authoriser on every method, account from the claim', () => {
    const { template } = synthTracker({}, (stack) => ({
      authorization: TrackerAuthorization.cognito({
        userPools: [new cognito.UserPool(stack, 'Users')],
        accountClaim: 'custom:accountId',
      }),
    }));
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'COGNITO_USER_POOLS',
      ProviderARNs: [Match.anyValue()],
    });
    for (const method of ['POST', 'GET', 'DELETE']) {
      template.hasResourceProperties('AWS::ApiGateway::Method', {
        HttpMethod: method,
        AuthorizationType: 'COGNITO_USER_POOLS',
        AuthorizerId: Match.anyValue(),
      });
    }
    for (const description of [TOKEN_VENDING, ENTITLEMENT]) {
      expect(lambdaEnvironment(template, description)).toMatchObject({
        ACCOUNT_SOURCE: 'claim',
        ACCOUNT_CLAIM: 'custom:accountId',
      });
    }
  });

  test('JWT authorisation: a token authoriser Lambda verifying issuer, audience and JWKS', () => {
    const { template, tracker } = synthTracker({
      authorization: TrackerAuthorization.jwt({
        issuer: 'https://login.example.com/',
        audience: ['player', 'web'],
        accountClaim: 'https://example.com/account',
      }),
    });
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'TOKEN',
      IdentitySource: 'method.request.header.Authorization',
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('Verifies bearer JWTs'),
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Environment: {
        Variables: Match.objectLike({
          JWT_ISSUER: 'https://login.example.com/',
          JWT_AUDIENCE: 'player,web',
          JWT_JWKS_URI: 'https://login.example.com/.well-known/jwks.json',
          ACCOUNT_CLAIM: 'https://example.com/account',
        }),
      },
    });
    for (const method of ['POST', 'GET', 'DELETE']) {
      template.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: method, AuthorizationType: 'CUSTOM' });
    }
    expect(lambdaEnvironment(template, TOKEN_VENDING)).toMatchObject({
      ACCOUNT_SOURCE: 'claim',
      ACCOUNT_CLAIM: 'https://example.com/account',
    });
    expect(tracker.jwtAuthorizerFunction).toBeDefined();
  });

  test('JWT authorisation honours an explicit JWKS URI', () => {
    const { template } = synthTracker({
      authorization: TrackerAuthorization.jwt({
        issuer: 'https://issuer.example.com',
        audience: ['player'],
        jwksUri: 'https://keys.example.com/jwks',
        accountClaim: 'sub',
      }),
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ JWT_JWKS_URI: 'https://keys.example.com/jwks' }) },
    });
  });
});

describe('grantInvoke', () => {
  test('grants execute-api:Invoke on the three methods of the stage', () => {
    const stack = newStack();
    const tracker = new ConcurrencyTracker(stack, 'Tracker');
    const role = new iam.Role(stack, 'Backend', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    const grant = tracker.grantInvoke(role);
    expect(grant.success).toBe(true);
    const template = Template.fromStack(stack);
    const policy = Object.values(template.findResources('AWS::IAM::Policy')).find((p) =>
      JSON.stringify(p).includes('execute-api:Invoke'),
    ) as { Properties: { PolicyDocument: { Statement: Array<{ Resource: unknown[] }> } } };
    expect(policy).toBeDefined();
    const resources = JSON.stringify(policy.Properties.PolicyDocument.Statement[0].Resource);
    expect(resources).toContain('/v1/POST/tokens');
    expect(resources).toContain('/v1/GET/accounts/*/sessions');
    expect(resources).toContain('/v1/DELETE/accounts/*/sessions/*');
    expect(resources).toContain('/v1/GET/accounts/*/sessions/*');
  });
});

describe('grantCheckSession', () => {
  test('grants execute-api:Invoke on the session check only (a licence server’s role)', () => {
    const stack = newStack();
    const tracker = new ConcurrencyTracker(stack, 'Tracker');
    const licenceServer = new iam.Role(stack, 'LicenceServer', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    expect(tracker.grantCheckSession(licenceServer).success).toBe(true);
    const template = Template.fromStack(stack);
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p).includes('execute-api:Invoke'),
    ) as Array<{
      Properties: { PolicyDocument: { Statement: Array<{ Action: unknown; Resource: unknown }> } };
    }>;
    expect(policies).toHaveLength(1);
    const statements = policies[0]!.Properties.PolicyDocument.Statement;
    expect(statements).toHaveLength(1);
    expect(statements[0]!.Action).toBe('execute-api:Invoke');
    const resources = JSON.stringify(statements[0]!.Resource);
    expect(resources).toContain('/v1/GET/accounts/*/sessions/*');
    for (const other of ['/POST/tokens', '/DELETE/', '/GET/accounts/*/sessions"'])
      expect(resources).not.toContain(other);
  });
});

describe('monitoring', () => {
  test('a dashboard and the five kinds of alarm, with actions', () => {
    const s2 = synthTracker({}, (st) => ({
      topicShards: 2,
      subscriberGroups: 2,
      monitoring: {
        dashboardName: 'tracker',
        admissionDenialThreshold: 7,
        errorThreshold: 3,
        alarmActions: [new cwActions.SnsAction(new sns.Topic(st, 'Alerts'))],
      },
    }));
    const template = s2.template;
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'tracker' });
    // Two subscriber-down alarms (one per group), heartbeats stopped, denial spike, errors, degraded answers, throttled heartbeats,
    // subscriber waiting, API 5xx, API latency, Lambda throttles.
    template.resourceCountIs('AWS::CloudWatch::Alarm', 11);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'HeartbeatsThrottled',
      Dimensions: [{ Name: 'service', Value: 'heartbeat-subscriber' }],
      Threshold: 1,
      AlarmDescription: Match.stringLikeRegexp('names the account'),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'CPUUtilization',
      Namespace: 'AWS/ECS',
      Statistic: 'SampleCount',
      TreatMissingData: 'breaching',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('Alerts') }],
      OKActions: [{ Ref: Match.stringLikeRegexp('Alerts') }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'AdmissionsDenied',
      Namespace: 'ConcurrencyTracker',
      Threshold: 7,
      Dimensions: [{ Name: 'service', Value: 'token-vending' }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 3,
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: Match.stringLikeRegexp('FILL\\(tv, 0\\)') }),
        Match.objectLike({
          MetricStat: Match.objectLike({
            Metric: Match.objectLike({
              MetricName: 'MomentoErrors',
              Dimensions: [{ Name: 'service', Value: 'heartbeat-subscriber' }],
            }),
          }),
        }),
      ]),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: Match.stringLikeRegexp('admitted') }),
        Match.objectLike({
          MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'HeartbeatsProcessed' }) }),
        }),
      ]),
    });
    // Degraded answers (FAILURE_MODE=open during an outage) from token vending and entitlement.
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 1,
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: Match.stringLikeRegexp('FILL\\(admissions, 0\\) \\+ FILL\\(checks, 0\\)') }),
        Match.objectLike({
          Id: 'admissions',
          MetricStat: Match.objectLike({
            Metric: Match.objectLike({
              MetricName: 'AdmissionsDegraded',
              Dimensions: [{ Name: 'service', Value: 'token-vending' }],
            }),
          }),
        }),
        Match.objectLike({
          Id: 'checks',
          MetricStat: Match.objectLike({
            Metric: Match.objectLike({
              MetricName: 'AdmissionsDegraded',
              Dimensions: [{ Name: 'service', Value: 'entitlement' }],
            }),
          }),
        }),
      ]),
    });
    expect(s2.tracker.alarms).toHaveLength(11);
    expect(s2.tracker.alarms.map((alarm) => alarm.node.id)).toContain('SubscriberWaiting');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'SubscriberWaiting',
      Dimensions: [{ Name: 'service', Value: 'heartbeat-subscriber' }],
      Threshold: 1,
      TreatMissingData: 'notBreaching',
    });
    expect(s2.tracker.alarms.map((alarm) => alarm.node.id)).toContain('DegradedAnswers');
    expect(s2.tracker.dashboard).toBeDefined();
  });

  test('dashboard and alarms can be switched off separately', () => {
    const dashboardOnly = synthTracker({ monitoring: { alarms: false } });
    dashboardOnly.template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    dashboardOnly.template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    const alarmsOnly = synthTracker({ monitoring: { dashboard: false } });
    alarmsOnly.template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    alarmsOnly.template.resourceCountIs('AWS::CloudWatch::Alarm', 10);
  });
});

describe('metric methods', () => {
  const { tracker } = synthTracker({ metricsNamespace: 'Tracker/Prod' });
  const cases: Array<[string, (t: ConcurrencyTracker) => cloudwatch.Metric, string]> = [
    ['AdmissionsGranted', (t) => t.metricAdmissionsGranted(), 'token-vending'],
    ['AdmissionsDenied', (t) => t.metricAdmissionsDenied(), 'token-vending'],
    ['AdmissionsDegraded', (t) => t.metricAdmissionsDegraded(), 'token-vending'],
    ['Evictions', (t) => t.metricEvictions(), 'token-vending'],
    ['TokensMinted', (t) => t.metricTokensMinted(), 'token-vending'],
    ['TokensReused', (t) => t.metricTokensReused(), 'token-vending'],
    ['EntitlementChecks', (t) => t.metricEntitlementChecks(), 'entitlement'],
    ['SessionsEnded', (t) => t.metricSessionsEnded(), 'entitlement'],
    ['HeartbeatsProcessed', (t) => t.metricHeartbeatsProcessed(), 'heartbeat-subscriber'],
    ['HeartbeatsRejected', (t) => t.metricHeartbeatsRejected(), 'heartbeat-subscriber'],
    ['SessionsExpired', (t) => t.metricSessionsExpired(), 'heartbeat-subscriber'],
    ['SessionsStopped', (t) => t.metricSessionsStopped(), 'heartbeat-subscriber'],
    ['SubscriberReconnects', (t) => t.metricSubscriberReconnects(), 'heartbeat-subscriber'],
    ['SubscriberWaiting', (t) => t.metricSubscriberWaiting(), 'heartbeat-subscriber'],
    ['MomentoErrors', (t) => t.metricMomentoErrors(), 'token-vending'],
  ];
  test.each(cases)('%s', (name, read, service) => {
    const metric = read(tracker);
    expect(metric.metricName).toBe(name);
    expect(metric.namespace).toBe('Tracker/Prod');
    expect(metric.dimensions).toEqual({ service });
    expect(metric.statistic).toBe('Sum');
    expect(metric.period.toMinutes()).toBe(5);
  });

  test('options override the component, statistic and period', () => {
    const metric = tracker.metricMomentoErrors({
      component: TrackerComponent.HEARTBEAT_SUBSCRIBER,
      period: Duration.minutes(1),
      statistic: 'Average',
    });
    expect(metric.dimensions).toEqual({ service: 'heartbeat-subscriber' });
    expect(metric.period.toMinutes()).toBe(1);
    expect(metric.statistic).toBe('Average');
  });
});
