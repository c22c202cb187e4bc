import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  AtLimitBehavior,
  ConcurrencyTrackerProps,
  CountingStrategy,
  FailureMode,
  LimitScope,
  TrackerAuthorization,
} from '../../lib';
import { parseRuntimeConfig } from '../../lambda/core/runtime/config';
import { synthTracker } from './support/tracker-stack';

type Environment = Record<string, string>;

/** A token (Ref, GetAtt, ...) in the template becomes a dummy string of the kind the runtime gets. */
function resolveDummy(name: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (/SECRET_ARN$/.test(name)) return 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:dummy-AbCdEf';
  if (name === 'ADMISSION_HOOK_ARN') return 'arn:aws:lambda:eu-west-1:123456789012:function:hook';
  return `dummy-${name.toLowerCase()}`;
}

/** Every runtime environment the template gives a tracker component, by a readable name. */
function runtimeEnvironments(template: Template): Array<[string, Environment]> {
  const out: Array<[string, Environment]> = [];
  const fns = template.findResources('AWS::Lambda::Function') as Record<
    string,
    { Properties: { Description?: string; Environment?: { Variables: Record<string, unknown> } } }
  >;
  for (const [id, fn] of Object.entries(fns)) {
    const vars = fn.Properties.Environment?.Variables;
    // Only the tracker's runtime components read the contract (not the JWT authoriser).
    if (!vars || !('CACHE_NAME' in vars)) continue;
    out.push([id, Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, resolveDummy(k, v)]))]);
  }
  const defs = template.findResources('AWS::ECS::TaskDefinition') as Record<
    string,
    {
      Properties: {
        ContainerDefinitions: Array<{
          Environment: Array<{ Name: string; Value: unknown }>;
          Secrets?: Array<{ Name: string }>;
        }>;
      };
    }
  >;
  for (const [id, def] of Object.entries(defs)) {
    const container = def.Properties.ContainerDefinitions[0];
    const env: Environment = Object.fromEntries(
      container.Environment.map((e) => [e.Name, resolveDummy(e.Name, e.Value)]),
    );
    // ECS injects each secret as a variable of the same name at start.
    for (const secret of container.Secrets ?? []) env[secret.Name] = 'dummy-key-from-secrets-manager';
    out.push([id, env]);
  }
  return out;
}

const configurations: Array<
  [string, ConcurrencyTrackerProps | ((s: import('aws-cdk-lib').Stack) => ConcurrencyTrackerProps)]
> = [
  ['defaults', {}],
  [
    'every runtime prop set',
    (stack) => ({
      cacheName: 'video-cache',
      heartbeatTopicName: 'beats',
      controlTopicPrefix: 'ctl-',
      heartbeatInterval: Duration.seconds(5),
      leaseDuration: Duration.seconds(16),
      defaultLimit: 100,
      atLimit: AtLimitBehavior.EVICT_OLDEST,
      limitScope: LimitScope.CONTENT,
      countingStrategy: CountingStrategy.CAPPED_LIST,
      maxSessionDuration: Duration.hours(1),
      tokenLifetime: Duration.hours(25),
      failureMode: FailureMode.OPEN,
      momentoTimeout: Duration.millis(500),
      admissionHook: lambda.Function.fromFunctionArn(
        stack,
        'Hook',
        'arn:aws:lambda:eu-west-1:123456789012:function:hook',
      ),
      topicShards: 6,
      subscriberGroups: 4,
      eventBus: new events.EventBus(stack, 'Bus'),
      metricsNamespace: 'Video/Tracker',
      momentoEndpoint: 'cell-4-us-west-2-1.prod.a.momentohq.com',
      vonage: {
        applicationId: 'c1a2b3c4-0000-4000-8000-00000000feed',
        privateKey: secretsmanager.Secret.fromSecretNameV2(stack, 'VonageKey', 'vonage/private-key'),
        callbackSignatureSecret: secretsmanager.Secret.fromSecretNameV2(stack, 'VonageSig', 'vonage/signature-secret'),
      },
    }),
  ],
  [
    'JWT authorisation, events off',
    {
      authorization: TrackerAuthorization.jwt({
        issuer: 'https://idp.example.com',
        audience: ['a'],
        accountClaim: 'account_id',
      }),
      lifecycleEvents: false,
    },
  ],
];

describe('every synthesized runtime environment is accepted by the engine configuration schema', () => {
  test.each(configurations)('%s', (_name, props) => {
    const { template } = typeof props === 'function' ? synthTracker({}, props) : synthTracker(props);
    const environments = runtimeEnvironments(template);
    expect(environments.length).toBeGreaterThanOrEqual(3);
    for (const [id, env] of environments) {
      let config;
      try {
        config = parseRuntimeConfig(env);
      } catch (error) {
        throw new Error(`${id}: ${(error as Error).message}`, { cause: error });
      }
      // The values the construct set are the values the runtime reads (nothing falls back to a default).
      expect(config.cacheName).toBe(env.CACHE_NAME);
      expect(config.heartbeatTopic).toBe(env.HEARTBEAT_TOPIC);
      expect(config.topicShards).toBe(Number(env.TOPIC_SHARDS));
      expect(config.leaseSeconds).toBe(Number(env.LEASE_SECONDS));
      expect(config.heartbeatIntervalSeconds).toBe(Number(env.HEARTBEAT_INTERVAL_SECONDS));
      expect(config.defaultLimit).toBe(Number(env.DEFAULT_LIMIT));
      expect(config.metricsNamespace).toBe(env.POWERTOOLS_METRICS_NAMESPACE);
      expect(config.serviceName).toBe(env.POWERTOOLS_SERVICE_NAME);
      expect(config.eventBusName).toBe(env.EVENT_BUS_NAME);
      expect(config.momentoEndpoint).toBe(env.MOMENTO_ENDPOINT);
      // The local emulator's variable is never set by the construct.
      expect(config.momentoLocalEndpoint).toBeUndefined();
      if (env.SUBSCRIBER_SHARDS) {
        expect(config.subscriberShards.join(',')).toBe(env.SUBSCRIBER_SHARDS);
        // The subscriber reads its data key and the session key secret by ARN at run time: no ECS
        // secret, so a task starts (and waits) while the Momento key secret is still empty.
        expect(config.dataKeySecretArn).toBeDefined();
        expect(config.sessionKeySecretArn).toBeDefined();
        expect(config.momentoDataKey).toBeUndefined();
        expect(config.sessionKeySecret).toBeUndefined();
      } else {
        expect(config.accountSource).toBe(env.ACCOUNT_SOURCE);
        expect(config.failureMode).toBe(env.FAILURE_MODE);
        expect(config.dataKeySecretArn).toBeDefined();
      }
      if (env.ACCOUNT_CLAIM) expect(config.accountClaim).toBe(env.ACCOUNT_CLAIM);
      if (env.AT_LIMIT) {
        expect(config.atLimit).toBe(env.AT_LIMIT);
        expect(config.tokenTtlSeconds).toBe(Number(env.TOKEN_TTL_SECONDS));
        expect(config.authKeySecretArn).toBeDefined();
        // Token vending signs each grant's session key with the secret it reads by ARN.
        expect(config.sessionKeySecretArn).toBeDefined();
      }
    }
  });

  test('the construct and the runtime accept the same Momento endpoints', () => {
    const candidates = [
      'cell-4-us-west-2-1.prod.a.momentohq.com',
      'CELL-1-EU-WEST-1-1.prod.a.momentohq.com',
      'https://cell-4-us-west-2-1.prod.a.momentohq.com',
      'cell-4-us-west-2-1.prod.a.momentohq.com:443',
      'cell-4-us-west-2-1.prod.a.momentohq.com/',
      '127.0.0.1:9090',
      'momentohq',
      '-bad.momentohq.com',
      'a..b.com',
    ];
    for (const endpoint of candidates) {
      let construct = true;
      try {
        synthTracker({ momentoEndpoint: endpoint });
      } catch {
        construct = false;
      }
      let runtime = true;
      try {
        parseRuntimeConfig({ CACHE_NAME: 'c', MOMENTO_ENDPOINT: endpoint });
      } catch {
        runtime = false;
      }
      expect([endpoint, construct]).toEqual([endpoint, runtime]);
    }
  });

  test('the schema check is real: a broken environment is refused', () => {
    const { template } = synthTracker();
    const [, env] = runtimeEnvironments(template)[0];
    expect(() => parseRuntimeConfig({ ...env, LEASE_SECONDS: '1', HEARTBEAT_INTERVAL_SECONDS: '10' })).toThrow(
      /LEASE_SECONDS/,
    );
    expect(() => parseRuntimeConfig({ ...env, AT_LIMIT: 'kick' })).toThrow();
  });
});
