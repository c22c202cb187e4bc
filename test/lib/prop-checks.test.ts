import { Duration, Lazy, Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import { ConcurrencyTracker, ConcurrencyTrackerProps, FailureMode, TrackerAuthorization } from '../../lib';
import { shardGroups } from '../../lib/private/tracker-settings';
import { newStack, synthTracker } from './support/tracker-stack';

function build(props: ConcurrencyTrackerProps): () => ConcurrencyTracker {
  return () => new ConcurrencyTracker(newStack(), 'Tracker', props);
}

describe('bad props fail at construction with a message that says what to change', () => {
  test.each<[string, ConcurrencyTrackerProps, RegExp]>([
    [
      'lease not above twice the interval',
      { heartbeatInterval: Duration.seconds(10), leaseDuration: Duration.seconds(20) },
      /leaseDuration \(20 s\) must be more than twice heartbeatInterval \(10 s\).*at least 21 s/,
    ],
    [
      'sub-second heartbeat',
      { heartbeatInterval: Duration.millis(500) },
      /heartbeatInterval must be a whole number of seconds of at least 1/,
    ],
    ['fractional lease', { leaseDuration: Duration.millis(30500) }, /leaseDuration must be a whole number of seconds/],
    [
      'token beyond Momento maximum',
      { tokenLifetime: Duration.hours(26) },
      /tokenLifetime .* exceeds Momento's maximum of 25 hours/,
    ],
    [
      'token shorter than the lease',
      { tokenLifetime: Duration.seconds(20) },
      /tokenLifetime \(20 s\) must be at least leaseDuration \(30 s\)/,
    ],
    [
      'session shorter than the lease',
      { maxSessionDuration: Duration.seconds(10) },
      /maxSessionDuration \(10 s\) is shorter than leaseDuration/,
    ],
    [
      'Momento timeout too long',
      { momentoTimeout: Duration.seconds(30) },
      /momentoTimeout must be between 100 ms and 10 s/,
    ],
    ['limit of zero', { defaultLimit: 0 }, /defaultLimit must be a whole number from 1 to 100 \(got 0\)/],
    ['fractional limit', { defaultLimit: 2.5 }, /defaultLimit must be a whole number/],
    ['limit above the lease batch', { defaultLimit: 101 }, /defaultLimit must be a whole number from 1 to 100/],
    ['no shards', { topicShards: 0 }, /topicShards must be a whole number from 1 to 64/],
    [
      'more groups than shards',
      { topicShards: 2, subscriberGroups: 3 },
      /subscriberGroups must be a whole number from 1 to topicShards \(2\); got 3. Raise topicShards/,
    ],
    [
      'negative subscriber count',
      { subscriberDesiredCount: -1 },
      /subscriberDesiredCount must be a whole number of 0 or more/,
    ],
    ['invalid Fargate CPU', { subscriberCpu: 300 }, /subscriberCpu must be one of 256, 512/],
    [
      'memory not valid for the CPU',
      { subscriberCpu: 256, subscriberMemoryMiB: 4096 },
      /subscriberMemoryMiB 4096 is not valid with subscriberCpu 256 on Fargate; use one of 512..2048/,
    ],
    ['cache name with a space', { cacheName: 'my cache' }, /cacheName "my cache" may contain only letters, digits/],
    ['topic name with a slash', { heartbeatTopicName: 'a/b' }, /heartbeatTopicName "a\/b"/],
    [
      'invalid namespace',
      { metricsNamespace: 'bad namespace!' },
      /metricsNamespace "bad namespace!" is not a valid CloudWatch namespace/,
    ],
    [
      'JWT issuer over http',
      { authorization: TrackerAuthorization.jwt({ issuer: 'http://idp', audience: ['a'], accountClaim: 'sub' }) },
      /JWT issuer must be an https URL/,
    ],
    [
      'JWT without audience',
      { authorization: TrackerAuthorization.jwt({ issuer: 'https://idp', audience: [], accountClaim: 'sub' }) },
      /needs at least one audience/,
    ],
    [
      'JWT without claim',
      { authorization: TrackerAuthorization.jwt({ issuer: 'https://idp', audience: ['a'], accountClaim: '' }) },
      /needs accountClaim/,
    ],
    [
      'JWKS over http',
      {
        authorization: TrackerAuthorization.jwt({
          issuer: 'https://idp',
          audience: ['a'],
          jwksUri: 'http://keys',
          accountClaim: 'sub',
        }),
      },
      /JWKS URI must be an https URL/,
    ],
    [
      'Momento endpoint with a scheme',
      { momentoEndpoint: 'https://cell-4-us-west-2-1.prod.a.momentohq.com' },
      /momentoEndpoint "https:\/\/cell-4.*" must be a host name .*no scheme \(https:\/\/\), port or path/,
    ],
    [
      'Momento endpoint with a port',
      { momentoEndpoint: 'cell-4-us-west-2-1.prod.a.momentohq.com:443' },
      /momentoEndpoint ".*:443" must be a host name/,
    ],
    [
      'Momento endpoint with a path',
      { momentoEndpoint: 'cell-4-us-west-2-1.prod.a.momentohq.com/v1' },
      /momentoEndpoint ".*\/v1" must be a host name/,
    ],
    [
      'Momento endpoint of one label',
      { momentoEndpoint: 'momentohq' },
      /momentoEndpoint "momentohq" must be a host name/,
    ],
    [
      'Cognito without pools',
      { authorization: TrackerAuthorization.cognito({ userPools: [], accountClaim: 'sub' }) },
      /needs at least one user pool/,
    ],
  ])('%s', (_name, props, message) => {
    expect(build(props)).toThrow(message);
  });

  test('a cluster in another VPC than the vpc prop', () => {
    const stack = newStack();
    const vpcA = new ec2.Vpc(stack, 'A', { maxAzs: 1, natGateways: 0 });
    const vpcB = new ec2.Vpc(stack, 'B', { maxAzs: 1, natGateways: 0 });
    const cluster = new ecs.Cluster(stack, 'Cluster', { vpc: vpcA });
    expect(() => new ConcurrencyTracker(stack, 'Tracker', { vpc: vpcB, cluster })).toThrow(
      /cluster is in another VPC; pass only cluster/,
    );
  });

  test('valid edge values are accepted', () => {
    expect(
      build({
        heartbeatInterval: Duration.seconds(1),
        leaseDuration: Duration.seconds(3),
        tokenLifetime: Duration.hours(25),
        defaultLimit: 100,
        topicShards: 64,
        subscriberGroups: 64,
        subscriberDesiredCount: 0,
        subscriberCpu: 16384,
        subscriberMemoryMiB: 122880,
        momentoTimeout: Duration.millis(100),
      }),
    ).not.toThrow();
  });

  test('a Momento endpoint host name passes, and so does an unresolved token', () => {
    expect(build({ momentoEndpoint: 'cell-4-us-west-2-1.prod.a.momentohq.com' })).not.toThrow();
    expect(build({ momentoEndpoint: Lazy.string({ produce: () => 'https://not-checked-at-synth' }) })).not.toThrow();
  });

  test('a Cognito pool passes', () => {
    const stack = newStack();
    const pool = new cognito.UserPool(stack, 'Pool');
    expect(
      () =>
        new ConcurrencyTracker(stack, 'Tracker', {
          authorization: TrackerAuthorization.cognito({ userPools: [pool], accountClaim: 'sub' }),
        }),
    ).not.toThrow();
  });
});

describe('soft problems become acknowledgeable warnings', () => {
  function warnings(props: ConcurrencyTrackerProps, setup?: Parameters<typeof synthTracker>[1]) {
    const { stack } = synthTracker(props, setup);
    return Annotations.fromStack(stack);
  }

  test('the defaults raise no warning', () => {
    warnings({}).hasNoWarning('*', Match.anyValue());
  });

  test.each<[string, ConcurrencyTrackerProps, string, RegExp]>([
    [
      'short lease',
      { heartbeatInterval: Duration.seconds(10), leaseDuration: Duration.seconds(25) },
      'ShortLease',
      /less than three heartbeat intervals/,
    ],
    ['one subscriber', { subscriberDesiredCount: 1 }, 'SingleSubscriber', /Run 2 or more/],
    ['no subscriber', { subscriberDesiredCount: 0 }, 'NoSubscriber', /no heartbeat subscriber runs/],
    [
      'many subscriptions',
      { topicShards: 30, subscriberDesiredCount: 2 },
      'ManySubscriptions',
      /60 topic subscriptions/,
    ],
    ['fail open', { failureMode: FailureMode.OPEN }, 'FailOpen', /admitted without counting/],
  ])('%s', (_name, props, id, message) => {
    warnings(props).hasWarning(
      '/TestStack/Tracker',
      Match.stringLikeRegexp(`${message.source}.*\\[ack: ConcurrencyTracker:${id}\\]`),
    );
  });

  test('an event bus with events switched off', () => {
    warnings({ lifecycleEvents: false }, (stack) => ({ eventBus: new events.EventBus(stack, 'Bus') })).hasWarning(
      '/TestStack/Tracker',
      Match.stringLikeRegexp('lifecycleEvents is false'),
    );
  });

  test('created secrets add an info with the command that fills them', () => {
    Annotations.fromStack(synthTracker().stack).hasInfo(
      '/TestStack/Tracker',
      Match.stringLikeRegexp('put-secret-value'),
    );
  });
});

describe('an account claim users can write is flagged (a user who writes it becomes any account)', () => {
  const WRITABLE =
    /accountClaim "custom:accountId" is a custom attribute that app client\(s\) .* may write.*\[ack: ConcurrencyTracker:WritableAccountClaim\]/;
  const IMPORTED =
    /accountClaim "custom:accountId" .* imported user pool.*read-only for every app client.*\[ack: ConcurrencyTracker:UncheckedAccountClaim\]/;

  function trackerOn(
    claim: string,
    addClients: (pool: cognito.UserPool, stack: ReturnType<typeof newStack>) => void,
  ): { stack: ReturnType<typeof newStack>; tracker: ConcurrencyTracker; pool: cognito.UserPool } {
    const stack = newStack();
    const pool = new cognito.UserPool(stack, 'Pool', {
      customAttributes: { accountId: new cognito.StringAttribute({ mutable: true }) },
    });
    const tracker = new ConcurrencyTracker(stack, 'Tracker', {
      authorization: TrackerAuthorization.cognito({ userPools: [pool], accountClaim: claim }),
    });
    // Clients are added after the tracker, as an app often does: the check runs at synthesis.
    addClients(pool, stack);
    return { stack, tracker, pool };
  }

  test('a client without writeAttributes (Cognito then lets it write every attribute) raises a warning', () => {
    const { stack } = trackerOn('custom:accountId', (pool) => pool.addClient('Web'));
    Annotations.fromStack(stack).hasWarning('/TestStack/Tracker', Match.stringLikeRegexp(WRITABLE.source));
  });

  test('a client, created elsewhere, whose writeAttributes include the claim raises a warning naming it', () => {
    const { stack } = trackerOn('custom:accountId', (pool, s) => {
      new cognito.UserPoolClient(s, 'Mobile', {
        userPool: pool,
        writeAttributes: new cognito.ClientAttributes().withCustomAttributes('accountId'),
      });
    });
    Annotations.fromStack(stack).hasWarning('/TestStack/Tracker', Match.stringLikeRegexp('TestStack/Mobile'));
  });

  test("no warning when every client's writeAttributes leave the claim out, or the claim is sub", () => {
    const readOnly = trackerOn('custom:accountId', (pool) => {
      pool.addClient('Web', {
        writeAttributes: new cognito.ClientAttributes().withStandardAttributes({ email: true }),
      });
    });
    Annotations.fromStack(readOnly.stack).hasNoWarning(
      '/TestStack/Tracker',
      Match.stringLikeRegexp('WritableAccountClaim'),
    );
    const sub = trackerOn('sub', (pool) => pool.addClient('Web'));
    Annotations.fromStack(sub.stack).hasNoWarning('/TestStack/Tracker', Match.stringLikeRegexp('AccountClaim'));
  });

  test('an imported pool, whose clients cannot be seen, raises a warning that the attribute must be read-only', () => {
    const { stack } = synthTracker({}, (s) => ({
      authorization: TrackerAuthorization.cognito({
        userPools: [cognito.UserPool.fromUserPoolId(s, 'Imported', 'eu-west-1_abc123')],
        accountClaim: 'custom:accountId',
      }),
    }));
    Annotations.fromStack(stack).hasWarning('/TestStack/Tracker', Match.stringLikeRegexp(IMPORTED.source));
  });

  test('the warning can be acknowledged like the others', () => {
    const { stack, tracker } = trackerOn('custom:accountId', (pool) => pool.addClient('Web'));
    Validations.of(tracker).acknowledge({
      id: 'Annotation::ConcurrencyTracker:WritableAccountClaim',
      reason: 'a pre-token trigger overrides the claim',
    });
    Annotations.fromStack(stack).hasNoWarning('/TestStack/Tracker', Match.stringLikeRegexp('WritableAccountClaim'));
  });
});

describe('shardGroups', () => {
  test.each<[number, number, number[][]]>([
    [1, 1, [[0]]],
    [
      5,
      2,
      [
        [0, 1, 2],
        [3, 4],
      ],
    ],
    [4, 4, [[0], [1], [2], [3]]],
    [
      7,
      3,
      [
        [0, 1, 2],
        [3, 4],
        [5, 6],
      ],
    ],
  ])('%i shards over %i groups', (shards, groups, expected) => {
    expect(shardGroups(shards, groups)).toEqual(expected);
  });

  test('every shard lands in exactly one group', () => {
    for (let shards = 1; shards <= 20; shards++) {
      for (let groups = 1; groups <= shards; groups++) {
        const flat = shardGroups(shards, groups).flat();
        expect(flat).toEqual(Array.from({ length: shards }, (_, i) => i));
        expect(shardGroups(shards, groups).every((g) => g.length > 0)).toBe(true);
      }
    }
  });
});
