import {
  CacheGet,
  CacheSet,
  CacheSetIfAbsentOrEqual,
  TopicPublish,
  TopicSubscribe,
  type CacheClient,
  type TopicClient,
} from '@gomomento/sdk';
import { cacheKeys } from '../../lambda/core/engine/cache-keys';
import { createHandlerDependencies } from '../../lambda/core/runtime/handler-dependencies';
import { vendToken, type TokenGrantBody } from '../../lambda/core/engine/token-vending';
import { recordFigures } from './figures';
import { deviceCacheClient, deviceTopicClient, errorCodeOf } from './harness/device-clients';
import { CACHE_NAME, startLocalTracker, type LocalTracker } from './harness/local-tracker';

// A device token does what a device needs and nothing more: publish its heartbeats, hear its own
// account's control topic. Everything else is refused by Momento (here the emulator, which
// enforces disposable-token scopes as Momento documents them).
let tracker: LocalTracker;
let own: TokenGrantBody;
let victim: TokenGrantBody;
let topics: TopicClient;
let cache: CacheClient;
const denials: Record<string, string> = {};

async function vend(accountId: string, deviceId: string): Promise<TokenGrantBody> {
  const deps = createHandlerDependencies(tracker.config, tracker.ports);
  if (!deps.tokens) throw new Error('no token port in local mode');
  const outcome = await vendToken({ accountId, deviceId }, { ...deps, tokens: deps.tokens });
  if (outcome.kind !== 'issued') throw new Error(`not issued: ${outcome.kind}`);
  return outcome.grant;
}

beforeAll(async () => {
  tracker = await startLocalTracker({ TOPIC_SHARDS: '4', LEASE_SECONDS: '30' });
  own = await vend('acct-attacker', 'attacker-tv');
  victim = await vend('acct-victim', 'victim-phone');
  topics = deviceTopicClient(tracker.emulator, own.token);
  cache = deviceCacheClient(tracker.emulator, own.token);
});
afterAll(async () => {
  cache?.close();
  await tracker?.stop();
});

const heartbeat = (grant: TokenGrantBody, deviceId: string) =>
  JSON.stringify({ v: 1, type: 'heartbeat', sessionId: grant.sessionId, deviceId, sessionKey: grant.sessionKey });

describe('a device token is scoped to its own heartbeats and control topic', () => {
  it('may publish its heartbeats and subscribe to its own control topic (positive control)', async () => {
    expect(await topics.publish(CACHE_NAME, own.heartbeatTopic, heartbeat(own, 'attacker-tv'))).toBeInstanceOf(
      TopicPublish.Success,
    );
    const subscription = await topics.subscribe(CACHE_NAME, own.controlTopic, {
      onItem: () => undefined,
      onError: () => undefined,
    });
    expect(subscription).toBeInstanceOf(TopicSubscribe.Subscription);
    (subscription as TopicSubscribe.Subscription).unsubscribe();
  });

  const publishTargets = (): Array<[string, string]> => [
    ['the victim account heartbeat shard', victim.heartbeatTopic],
    ['the victim control topic (forged eviction)', victim.controlTopic],
    ['its own control topic (forged control message)', own.controlTopic],
    ['an unsharded heartbeat topic', tracker.config.heartbeatTopic],
    ['a made-up topic', 'anything-else'],
  ];

  it('cannot publish to any other topic', async () => {
    expect(victim.heartbeatTopic).not.toBe(own.heartbeatTopic); // the shards differ, or the check proves nothing
    for (const [name, topic] of publishTargets()) {
      const code = errorCodeOf(await topics.publish(CACHE_NAME, topic, heartbeat(own, 'attacker-tv')));
      denials[`publish to ${name}`] = code;
      expect({ name, code }).toEqual({ name, code: 'PERMISSION_ERROR' });
    }
  });

  it("cannot subscribe to another account's control topic or to anyone's heartbeats", async () => {
    for (const [name, topic] of [
      ['the victim control topic', victim.controlTopic],
      ['its own heartbeat shard (to read other accounts)', own.heartbeatTopic],
      ['the victim heartbeat shard', victim.heartbeatTopic],
    ] as const) {
      const response = await topics.subscribe(CACHE_NAME, topic, { onItem: () => undefined, onError: () => undefined });
      if (response instanceof TopicSubscribe.Subscription) response.unsubscribe();
      const code = errorCodeOf(response);
      denials[`subscribe to ${name}`] = code;
      expect({ name, code }).toEqual({ name, code: 'PERMISSION_ERROR' });
    }
  });

  it('cannot read or write the cache, leases included', async () => {
    const lease = cacheKeys.lease('account:acct-victim', 0);
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['get a lease', () => cache.get(CACHE_NAME, lease)],
      ['get a session record', () => cache.get(CACHE_NAME, cacheKeys.session(victim.sessionId))],
      ['read the cached device token', () => cache.get(CACHE_NAME, cacheKeys.deviceToken('acct-victim'))],
      ['set a lease', () => cache.set(CACHE_NAME, lease, 'attacker-tv x')],
      ['take over a lease', () => cache.setIfAbsentOrEqual(CACHE_NAME, lease, 'attacker-tv x', '~free')],
      ['delete a lease', () => cache.delete(CACHE_NAME, lease)],
      ['write a session record', () => cache.set(CACHE_NAME, cacheKeys.session('forged'), '{}')],
    ];
    for (const [name, call] of calls) {
      const response = await call();
      expect(response).not.toBeInstanceOf(CacheGet.Hit);
      expect(response).not.toBeInstanceOf(CacheSet.Success);
      expect(response).not.toBeInstanceOf(CacheSetIfAbsentOrEqual.Stored);
      const code = errorCodeOf(response);
      denials[`cache: ${name}`] = code;
      expect({ name, code }).toEqual({ name, code: 'PERMISSION_ERROR' });
    }
    // Nothing moved: the victim still holds its session.
    expect((await tracker.engine.listSessions('acct-victim')).sessions.map((s) => s.sessionId)).toEqual([
      victim.sessionId,
    ]);
  });

  it('an expired device token is refused', async () => {
    const tokens = tracker.ports.tokens;
    if (!tokens) throw new Error('no token port in local mode');
    const shortLived = await tokens.mintDeviceToken({
      accountId: 'acct-attacker',
      publishTopic: own.heartbeatTopic,
      subscribeTopic: own.controlTopic,
      ttlSeconds: 1,
    });
    const client = deviceTopicClient(tracker.emulator, shortLived.token);
    expect(await client.publish(CACHE_NAME, own.heartbeatTopic, heartbeat(own, 'attacker-tv'))).toBeInstanceOf(
      TopicPublish.Success,
    );
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, shortLived.expiresAt - Date.now()) + 1100));
    const code = errorCodeOf(await client.publish(CACHE_NAME, own.heartbeatTopic, heartbeat(own, 'attacker-tv')));
    denials['publish with an expired token'] = code;
    expect(code).toBe('AUTHENTICATION_ERROR');
  });

  afterAll(() => {
    const refused = Object.values(denials).filter((code) => code === 'PERMISSION_ERROR').length;
    recordFigures({
      id: 'device-token-scope',
      promise:
        "A device token can only publish its heartbeats and hear its own control topic: no other topic, no other account's control topic, no cache access; an expired token is refused.",
      test: 'test/reliability/device-token-scope.test.ts',
      figures: {
        'out-of-scope calls tried': Object.keys(denials).length - ('publish with an expired token' in denials ? 1 : 0),
        'refused with PERMISSION_ERROR': refused,
        'expired token refused': denials['publish with an expired token'] === 'AUTHENTICATION_ERROR',
      },
    });
  });
});
