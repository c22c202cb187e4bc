import { cacheKeys } from '../../../lambda/core/engine/cache-keys';
import { createEngine } from '../../../lambda/core/engine/engine';
import type { DeviceTokenGrant, MintedToken, TokenPort } from '../../../lambda/core/ports/momento-ports';
import { CountingMetrics } from './support/counting-metrics';
import { silentLogger } from '../../../lambda/core/ports/observability';
import { processSessionKeySecret, SessionKeys } from '../../../lambda/core/messages/session-key';
import { tokenReuseMarginMs, vendToken, type TokenVendingDeps } from '../../../lambda/core/engine/token-vending';
import { testConfig } from './support/engine-config';
import { InMemoryCache } from './support/in-memory-cache';
import { ManualClock } from './support/manual-clock';
import { RecordingTopics } from './support/recording-topics';

class CountingTokens implements TokenPort {
  readonly grants: DeviceTokenGrant[] = [];
  constructor(private readonly clock: ManualClock) {}
  async mintDeviceToken(grant: DeviceTokenGrant): Promise<MintedToken> {
    this.grants.push(grant);
    return { token: `token-${this.grants.length}`, expiresAt: this.clock.now() + grant.ttlSeconds * 1000 };
  }
}

describe('vendToken', () => {
  let clock: ManualClock;
  let cache: InMemoryCache;
  let tokens: CountingTokens;
  let metrics: CountingMetrics;

  /** A refresh: `deviceId` of `accountId` names the session of `grant` and proves it with that grant's key. */
  const refresh = (
    grant: { readonly sessionId: string; readonly sessionKey: string },
    deps: TokenVendingDeps,
    accountId = 'acc-1',
    deviceId = 'tv',
  ) => vendToken({ accountId, deviceId, sessionId: grant.sessionId, sessionKey: grant.sessionKey }, deps);
  const depsFor = (env: Record<string, string> = {}): TokenVendingDeps => {
    const config = testConfig(env);
    return {
      config,
      engine: createEngine(config, { cache, topics: new RecordingTopics(), metrics, now: clock.now }),
      cache,
      tokens,
      sessionKeys: new SessionKeys(processSessionKeySecret()),
      metrics,
      logger: silentLogger,
      now: clock.now,
    };
  };

  beforeEach(() => {
    clock = new ManualClock();
    cache = new InMemoryCache(clock);
    tokens = new CountingTokens(clock);
    metrics = new CountingMetrics();
  });

  it('issues a token scoped to the account’s heartbeat shard and control topic, with the account as token id', async () => {
    const deps = depsFor({ TOPIC_SHARDS: '4', LEASE_SECONDS: '7' });
    const outcome = await vendToken({ accountId: 'acc-1', deviceId: 'tv' }, deps);
    expect(outcome.kind).toBe('issued');
    if (outcome.kind !== 'issued') return;
    expect(outcome.grant).toMatchObject({
      token: 'token-1',
      cacheName: 'tracker',
      heartbeatTopic: expect.stringMatching(/^heartbeat-[0-3]$/),
      controlTopic: 'control-acc-1',
      heartbeatIntervalSeconds: 1,
      leaseSeconds: 7, // the device ends a session it could not heartbeat for this long
      expiresAt: new Date(clock.current + 600_000).toISOString(),
      limit: 2,
      active: 1,
    });
    expect(tokens.grants).toEqual([
      {
        accountId: 'acc-1',
        publishTopic: outcome.grant.heartbeatTopic,
        subscribeTopic: 'control-acc-1',
        ttlSeconds: 600,
      },
    ]);
  });

  it('reuses an account’s token until close to expiry: one mint per account per lifetime', async () => {
    const deps = depsFor({ DEFAULT_LIMIT: '10' });
    for (let i = 0; i < 5; i += 1) await vendToken({ accountId: 'acc-1', deviceId: `d${i}` }, deps);
    await vendToken({ accountId: 'acc-2', deviceId: 'd0' }, deps);
    expect(tokens.grants.map((g) => g.accountId)).toEqual(['acc-1', 'acc-2']);
    expect(metrics.get('TokensReused')).toBe(4);
    clock.advance(600_000 - tokenReuseMarginMs(deps.config) + 1); // inside the margin: mint anew
    await vendToken({ accountId: 'acc-1', deviceId: 'd0' }, deps);
    expect(tokens.grants).toHaveLength(3);
  });

  it('gives a refreshing device a later token once the shared one is past half its life', async () => {
    const deps = depsFor({ LEASE_SECONDS: '900' }); // no heartbeats in this test: keep the lease
    const first = await vendToken({ accountId: 'acc-1', deviceId: 'tv' }, deps);
    if (first.kind !== 'issued') throw new Error('not issued');
    clock.advance(200_000); // a third of the 600 s lifetime used: a refresh may still reuse it
    const early = await refresh(first.grant, deps);
    expect(early.kind === 'issued' && early.grant).toMatchObject({
      token: first.grant.token,
      sessionId: first.grant.sessionId,
      active: 1,
    });
    clock.advance(200_000); // now past half: the refresh mints, and the new token is shared from then on
    const later = await refresh(first.grant, deps);
    expect(later.kind === 'issued' && Date.parse(later.grant.expiresAt)).toBeGreaterThan(
      Date.parse(first.grant.expiresAt),
    );
    const other = await vendToken({ accountId: 'acc-1', deviceId: 'phone' }, deps);
    expect(other.kind === 'issued' && later.kind === 'issued' && other.grant.token).toBe(
      later.kind === 'issued' ? later.grant.token : '',
    );
    expect(tokens.grants).toHaveLength(2);
  });

  it('signs each grant with its session’s key and refuses a refresh that cannot prove the session', async () => {
    const deps = depsFor({ LEASE_SECONDS: '900' });
    const tv = await vendToken({ accountId: 'acc-1', deviceId: 'tv' }, deps);
    const phone = await vendToken({ accountId: 'acc-1', deviceId: 'phone' }, deps);
    if (tv.kind !== 'issued' || phone.kind !== 'issued') throw new Error('not issued');
    // Same device token (the account's), different session keys.
    expect(tv.grant.token).toBe(phone.grant.token);
    expect(tv.grant.sessionKey).toBe(
      deps.sessionKeys.derive({ accountId: 'acc-1', sessionId: tv.grant.sessionId, deviceId: 'tv' }),
    );
    expect(tv.grant.sessionKey).not.toBe(phone.grant.sessionKey);
    // The phone names the tv's session: with its own key, with none, with the tv's key for another device.
    for (const sessionKey of [phone.grant.sessionKey, undefined]) {
      expect(
        await vendToken({ accountId: 'acc-1', deviceId: 'tv', sessionId: tv.grant.sessionId, sessionKey }, deps),
      ).toEqual({ kind: 'invalid-session-key' });
    }
    expect(await refresh(tv.grant, deps, 'acc-1', 'phone')).toEqual({ kind: 'invalid-session-key' });
    // Another account cannot use a key of this one.
    expect(await refresh(tv.grant, deps, 'acc-2', 'tv')).toEqual({ kind: 'invalid-session-key' });
    expect((await deps.engine.listSessions('acc-1')).active).toBe(2); // nothing was admitted or changed
    const refreshed = await refresh(tv.grant, deps);
    expect(refreshed.kind === 'issued' && refreshed.grant).toMatchObject({
      sessionId: tv.grant.sessionId,
      sessionKey: tv.grant.sessionKey,
    });
  });

  it('never hands out a token outliving the session’s maximum duration', async () => {
    const deps = depsFor({ MAX_SESSION_SECONDS: '120' });
    const outcome = await vendToken({ accountId: 'acc-1', deviceId: 'tv' }, deps);
    expect(tokens.grants[0]!.ttlSeconds).toBe(120);
    expect(outcome.kind === 'issued' && Date.parse(outcome.grant.expiresAt)).toBe(clock.current + 120_000);
    // A token cut short by a session's end is not shared.
    expect(await cache.get(cacheKeys.deviceToken('acc-1'))).toBeUndefined();
  });

  it('tells the device when its session ends, in the grant and in every refresh (none without a maximum)', async () => {
    const deps = depsFor({ MAX_SESSION_SECONDS: '120', TOKEN_TTL_SECONDS: '60', LEASE_SECONDS: '900' });
    const endsAt = new Date(clock.current + 120_000).toISOString();
    const first = await vendToken({ accountId: 'acc-1', deviceId: 'tv' }, deps);
    if (first.kind !== 'issued') throw new Error('not issued');
    expect(first.grant.sessionEndsAt).toBe(endsAt);
    expect(Date.parse(first.grant.expiresAt)).toBe(clock.current + 60_000);
    clock.advance(90_500); // 29.5 s left: the refreshed token is cut to 29 s, its end stays the same
    const refreshed = await refresh(first.grant, deps);
    expect(refreshed.kind === 'issued' && refreshed.grant).toMatchObject({
      sessionId: first.grant.sessionId,
      sessionEndsAt: endsAt,
      expiresAt: new Date(clock.current + 29_000).toISOString(),
    });

    const unlimited = await vendToken({ accountId: 'acc-2', deviceId: 'tv' }, depsFor());
    expect(unlimited.kind === 'issued' && 'sessionEndsAt' in unlimited.grant).toBe(false);
  });

  it('returns the refusal with the active sessions at the limit, and no token', async () => {
    const deps = depsFor({ DEFAULT_LIMIT: '1' });
    await vendToken({ accountId: 'acc-1', deviceId: 'tv' }, deps);
    const refused = await vendToken({ accountId: 'acc-1', deviceId: 'phone' }, deps);
    expect(refused).toMatchObject({ kind: 'limit-reached', limit: 1, active: 1, sessions: [{ deviceId: 'tv' }] });
    expect(tokens.grants).toHaveLength(1);
  });

  it('gives the place back when no token can be minted', async () => {
    const deps = depsFor({ DEFAULT_LIMIT: '1' });
    tokens.mintDeviceToken = async () => {
      throw new Error('auth down');
    };
    await expect(vendToken({ accountId: 'acc-1', deviceId: 'tv' }, deps)).rejects.toThrow('auth down');
    expect((await deps.engine.listSessions('acc-1')).active).toBe(0);
  });
});
