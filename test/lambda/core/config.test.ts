import { parseRuntimeConfig, RuntimeConfigError } from '../../../lambda/core/runtime/config';

describe('parseRuntimeConfig', () => {
  it('applies the documented defaults to a minimal environment', () => {
    const config = parseRuntimeConfig({ CACHE_NAME: 'tracker' });
    expect(config).toMatchObject({
      cacheName: 'tracker',
      heartbeatTopic: 'heartbeat',
      topicShards: 1,
      subscriberShards: [0],
      controlTopicPrefix: 'control-',
      healthPort: 8080,
      leaseSeconds: 30,
      heartbeatIntervalSeconds: 10,
      defaultLimit: 3,
      atLimit: 'reject',
      limitScope: 'account',
      countingStrategy: 'leases',
      maxSessionSeconds: 0,
      failureMode: 'closed',
      accountSource: 'claim',
      metricsNamespace: 'ConcurrencyTracker',
    });
    expect(config.momentoLocalEndpoint).toBeUndefined();
  });

  it('reads every variable of the contract', () => {
    const config = parseRuntimeConfig({
      CACHE_NAME: 'c',
      HEARTBEAT_TOPIC: 'hb',
      TOPIC_SHARDS: '4',
      SUBSCRIBER_SHARDS: '3, 1',
      CONTROL_TOPIC_PREFIX: 'ctl.',
      AUTH_KEY_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:auth',
      DATA_KEY_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:data',
      HEALTH_PORT: '9000',
      HEARTBEAT_INTERVAL_SECONDS: '5',
      LEASE_SECONDS: '15',
      DEFAULT_LIMIT: '5',
      AT_LIMIT: 'evict-oldest',
      LIMIT_SCOPE: 'account-content',
      COUNTING_STRATEGY: 'interval-dictionary',
      MAX_SESSION_SECONDS: '3600',
      TOKEN_TTL_SECONDS: '900',
      FAILURE_MODE: 'open',
      MOMENTO_TIMEOUT_MS: '1500',
      ADMISSION_HOOK_ARN: 'arn:aws:lambda:eu-west-1:1:function:hook',
      ACCOUNT_SOURCE: 'iam',
      ACCOUNT_CLAIM: 'custom:account',
      EVENT_BUS_NAME: 'bus',
      POWERTOOLS_SERVICE_NAME: 'token-vending',
      POWERTOOLS_METRICS_NAMESPACE: 'Ns',
      MOMENTO_LOCAL_ENDPOINT: '127.0.0.1:9090',
    });
    expect(config.subscriberShards).toEqual([1, 3]);
    expect(config.momentoLocalEndpoint).toEqual({ hostname: '127.0.0.1', port: 9090 });
    expect(config).toMatchObject({
      topicShards: 4,
      atLimit: 'evict-oldest',
      limitScope: 'account-content',
      countingStrategy: 'interval-dictionary',
      failureMode: 'open',
      accountSource: 'iam',
      eventBusName: 'bus',
    });
  });

  it('names every wrong variable at once', () => {
    let thrown: unknown;
    try {
      parseRuntimeConfig({ CACHE_NAME: '', LEASE_SECONDS: 'soon', AT_LIMIT: 'panic', TOKEN_TTL_SECONDS: '999999' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(RuntimeConfigError);
    const message = (thrown as Error).message;
    expect(message).toContain('CACHE_NAME');
    expect(message).toContain('LEASE_SECONDS');
    expect(message).toContain('AT_LIMIT');
    expect(message).toContain('TOKEN_TTL_SECONDS');
  });

  it('refuses a lease no longer than the heartbeat interval', () => {
    expect(() =>
      parseRuntimeConfig({ CACHE_NAME: 'c', HEARTBEAT_INTERVAL_SECONDS: '10', LEASE_SECONDS: '10' }),
    ).toThrow(/LEASE_SECONDS.*longer/);
  });

  it('refuses subscriber shards outside the topic shards', () => {
    expect(() => parseRuntimeConfig({ CACHE_NAME: 'c', TOPIC_SHARDS: '2', SUBSCRIBER_SHARDS: '2' })).toThrow(
      /SUBSCRIBER_SHARDS/,
    );
  });

  it("reads Momento's endpoint for v2 keys as a host name", () => {
    expect(
      parseRuntimeConfig({ CACHE_NAME: 'c', MOMENTO_ENDPOINT: ' Cell-4-US-West-2-1.prod.a.momentohq.com ' })
        .momentoEndpoint,
    ).toBe('cell-4-us-west-2-1.prod.a.momentohq.com');
    expect(parseRuntimeConfig({ CACHE_NAME: 'c' }).momentoEndpoint).toBeUndefined();
  });

  it.each([
    'https://cell-4-us-west-2-1.prod.a.momentohq.com',
    'cell-4-us-west-2-1.prod.a.momentohq.com:443',
    'cell-4-us-west-2-1.prod.a.momentohq.com/',
    'momentohq',
    'cache.-bad-.com',
    '127.0.0.1:9090',
  ])('refuses %s as MOMENTO_ENDPOINT, naming the variable', (endpoint) => {
    expect(() => parseRuntimeConfig({ CACHE_NAME: 'c', MOMENTO_ENDPOINT: endpoint })).toThrow(
      /MOMENTO_ENDPOINT must be a host name/,
    );
  });

  it('refuses a malformed emulator endpoint', () => {
    expect(() => parseRuntimeConfig({ CACHE_NAME: 'c', MOMENTO_LOCAL_ENDPOINT: 'localhost' })).toThrow(
      /MOMENTO_LOCAL_ENDPOINT/,
    );
  });
});
