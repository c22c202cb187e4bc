import {
  AllCaches,
  CacheGet,
  CacheRole,
  CacheSet,
  CreateCache,
  DisposableTokenScopes,
  ExpiresIn,
  MomentoErrorCode,
  TopicPublish,
  TopicRole,
  TopicSubscribe,
  type DisposableTokenScope,
} from '@gomomento/sdk';
import {
  authClient,
  cacheClient,
  codeOf,
  localCredentials,
  mintToken,
  record,
  sleep,
  tokenCredentials,
  topicClient,
  useEmulator,
  waitFor,
} from './support/emulator-session';

const CACHE = 'auth-cache';
const session = useEmulator(CACHE);

/** A device's clients with a token the emulator minted for `scope`: for five minutes unless `expiresIn` says. */
async function deviceWithToken(scope: DisposableTokenScope, options: { expiresIn?: ExpiresIn; tokenId?: string } = {}) {
  const { emulator } = session;
  const token = await mintToken(emulator, scope, options.expiresIn ?? ExpiresIn.minutes(5), options.tokenId);
  const credentials = tokenCredentials(emulator, token);
  return { token, topics: () => topicClient(credentials), cache: () => cacheClient(credentials) };
}

/** Expects a call the token does not allow to be refused for want of permission. */
async function expectPermissionError(response: Promise<unknown>): Promise<void> {
  expect(codeOf(await response)).toBe(MomentoErrorCode.PERMISSION_ERROR);
}

describe('disposable tokens minted by the emulator', () => {
  it('stamps items published with a publish-only token with its token id', async () => {
    const { emulator } = session;
    const token = await deviceWithToken(DisposableTokenScopes.topicPublishOnly(CACHE, 'heartbeats'), {
      tokenId: 'account-42',
    });
    const subscriber = await record(topicClient(localCredentials(emulator)), CACHE, 'heartbeats');
    const device = token.topics();

    expect(await device.publish(CACHE, 'heartbeats', 'beat')).toBeInstanceOf(TopicPublish.Success);
    await waitFor(() => subscriber.items.length === 1, 15_000, 'the published item');
    expect(subscriber.items[0]?.value()).toBe('beat');
    expect(subscriber.items[0]?.tokenId()).toBe('account-42');
    subscriber.subscription.unsubscribe();
  });

  it('refuses a publish-only token anything else: another topic, subscribing, the cache', async () => {
    const token = await deviceWithToken(DisposableTokenScopes.topicPublishOnly(CACHE, 'heartbeats'), {
      tokenId: 'account-42',
    });
    const device = token.topics();
    const cache = await token.cache();

    await expectPermissionError(device.publish(CACHE, 'other-topic', 'beat'));
    await expectPermissionError(device.publish('another-cache', 'heartbeats', 'beat'));
    const subscribed = await device.subscribe(CACHE, 'heartbeats', {});
    expect(subscribed).toBeInstanceOf(TopicSubscribe.Error);
    expect(codeOf(subscribed)).toBe(MomentoErrorCode.PERMISSION_ERROR);
    await expectPermissionError(cache.get(CACHE, 'anything'));
    await expectPermissionError(cache.set(CACHE, 'anything', 'x'));
    await expectPermissionError(cache.createCache('made-by-device'));
    cache.close();
  });

  it('lets a subscribe-only token subscribe but not publish', async () => {
    const { emulator } = session;
    const device = (await deviceWithToken(DisposableTokenScopes.topicSubscribeOnly(CACHE, 'control'))).topics();
    await expectPermissionError(device.publish(CACHE, 'control', 'x'));
    const recorded = await record(device, CACHE, 'control');
    await topicClient(localCredentials(emulator)).publish(CACHE, 'control', 'evicted');
    await waitFor(() => recorded.items.length === 1, 15_000, 'the control message');
    // A publisher whose token has no id (here local mode) reaches subscribers with an empty id.
    expect(recorded.items[0]?.tokenId()).toBe('');
    recorded.subscription.unsubscribe();
  });

  it('honours a permission set with several permissions', async () => {
    const token = await deviceWithToken(
      {
        permissions: [
          { role: TopicRole.PublishOnly, cache: CACHE, topic: 'hb' },
          { role: TopicRole.SubscribeOnly, cache: CACHE, topic: 'ctl-7' },
          // The SDK drops key selectors when topic permissions are mixed in, so this is cache-wide.
          { role: CacheRole.ReadOnly, cache: CACHE },
        ],
      },
      { tokenId: 'account-7' },
    );
    const device = token.topics();
    const cache = await token.cache();
    expect(await device.publish(CACHE, 'hb', 'x')).toBeInstanceOf(TopicPublish.Success);
    await expectPermissionError(device.publish(CACHE, 'ctl-7', 'x'));
    const recorded = await record(device, CACHE, 'ctl-7');
    recorded.subscription.unsubscribe();
    expect(await cache.get(CACHE, 'limits')).toBeInstanceOf(CacheGet.Miss);
    await expectPermissionError(cache.set(CACHE, 'limits', 'x'));
    await expectPermissionError(cache.get('another-cache', 'limits'));
    cache.close();
  });

  it('honours several key and key-prefix permissions on one token', async () => {
    const token = await deviceWithToken({
      permissions: [
        { role: CacheRole.ReadWrite, cache: CACHE, item: { keyPrefix: 'session:' } },
        { role: CacheRole.ReadOnly, cache: AllCaches, item: { key: 'config' } },
      ],
    });
    const cache = await token.cache();
    expect(await cache.set(CACHE, 'session:1', 'x')).toBeInstanceOf(CacheSet.Success);
    expect(await cache.get(CACHE, 'config')).toBeInstanceOf(CacheGet.Miss);
    await expectPermissionError(cache.set(CACHE, 'config', 'x'));
    await expectPermissionError(cache.get(CACHE, 'configuration'));
    cache.close();
  });

  it('allows a key-prefix read-write token on its prefix only, for every key of a batch', async () => {
    const cache = await (
      await deviceWithToken(DisposableTokenScopes.cacheKeyPrefixReadWrite(CACHE, 'lease#acct-1#'))
    ).cache();
    expect(await cache.set(CACHE, 'lease#acct-1#0', 'device-a')).toBeInstanceOf(CacheSet.Success);
    const hit = await cache.get(CACHE, 'lease#acct-1#0');
    expect(hit).toBeInstanceOf(CacheGet.Hit);
    expect((hit as CacheGet.Hit).valueString()).toBe('device-a');
    await expectPermissionError(cache.get(CACHE, 'lease#acct-2#0'));
    await expectPermissionError(cache.set(CACHE, 'other', 'x'));
    await expectPermissionError(cache.getBatch(CACHE, ['lease#acct-1#0', 'lease#acct-2#0']));
    cache.close();
  });

  it('refuses an expired token with an authentication error', async () => {
    const token = await deviceWithToken(DisposableTokenScopes.topicPublishOnly(CACHE, 'hb'), {
      expiresIn: ExpiresIn.seconds(1),
      tokenId: 'short',
    });
    const device = token.topics();
    expect(await device.publish(CACHE, 'hb', 'in time')).toBeInstanceOf(TopicPublish.Success);
    await sleep(2100);
    expect(codeOf(await device.publish(CACHE, 'hb', 'too late'))).toBe(MomentoErrorCode.AUTHENTICATION_ERROR);
  });

  it('refuses forged and altered tokens with an authentication error', async () => {
    const { emulator } = session;
    const { token } = await deviceWithToken(DisposableTokenScopes.topicPublishOnly(CACHE, 'hb'), { tokenId: 'acct' });
    const envelope = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { api_key: string; endpoint: string };
    const [header, payload, signature] = envelope.api_key.split('.') as [string, string, string];
    // Widen the scope to a super user without re-signing.
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const widened = Buffer.from(JSON.stringify({ ...claims, scope: { superUser: true } })).toString('base64url');
    const rewrap = (apiKey: string) => Buffer.from(JSON.stringify({ ...envelope, api_key: apiKey })).toString('base64');

    for (const forged of [
      rewrap(`${header}.${widened}.${signature}`),
      rewrap('not-a-token'),
      rewrap(`${header}.${payload}.AAAA`),
    ]) {
      const device = topicClient(tokenCredentials(emulator, forged));
      expect(codeOf(await device.publish(CACHE, 'hb', 'x'))).toBe(MomentoErrorCode.AUTHENTICATION_ERROR);
    }
    // A token minted by another emulator (another secret) is refused too.
    const { startEmulator } = await import('../../../local/emulator');
    const other = await startEmulator();
    try {
      const foreign = other.createApiKey();
      const cache = await cacheClient(tokenCredentials(emulator, foreign));
      expect(codeOf(await cache.get(CACHE, 'k'))).toBe(MomentoErrorCode.AUTHENTICATION_ERROR);
      cache.close();
    } finally {
      await other.stop();
    }
  });

  it.each<[string, DisposableTokenScope]>([
    ['an empty permission list', { permissions: [] }],
    [
      'conflicting cache permissions on all caches',
      {
        permissions: [
          { role: CacheRole.ReadOnly, cache: AllCaches },
          { role: CacheRole.ReadWrite, cache: AllCaches },
        ],
      },
    ],
    [
      'conflicting cache permissions on one cache, named two ways',
      {
        permissions: [
          { role: CacheRole.ReadOnly, cache: CACHE },
          { role: CacheRole.ReadWrite, cache: { name: CACHE } },
        ],
      },
    ],
    [
      'conflicting topic permissions on one topic',
      {
        permissions: [
          { role: TopicRole.SubscribeOnly, cache: CACHE, topic: 'heartbeats' },
          { role: TopicRole.PublishSubscribe, cache: { name: CACHE }, topic: { name: 'heartbeats' } },
        ],
      },
    ],
    [
      'a duplicated topic permission',
      {
        permissions: [
          { role: TopicRole.PublishOnly, cache: CACHE, topic: 'heartbeats' },
          { role: TopicRole.PublishOnly, cache: CACHE, topic: 'heartbeats' },
        ],
      },
    ],
    [
      'a duplicated key permission',
      {
        permissions: [
          { role: CacheRole.ReadOnly, cache: CACHE, item: { key: 'k' } },
          { role: CacheRole.WriteOnly, cache: CACHE, item: { key: 'k' } },
        ],
      },
    ],
  ])('refuses to mint a token with %s (INVALID_ARGUMENT, as Momento)', async (_name, scope) => {
    const minted = await authClient(localCredentials(session.emulator)).generateDisposableToken(
      scope,
      ExpiresIn.minutes(1),
      { tokenId: 'account-1' },
    );
    expect(codeOf(minted)).toBe(MomentoErrorCode.INVALID_ARGUMENT_ERROR);
  });

  it('still mints distinct permissions on one topic name in two caches, or on two topics', async () => {
    const { emulator } = session;
    const scopes: DisposableTokenScope[] = [
      {
        permissions: [
          { role: TopicRole.PublishOnly, cache: CACHE, topic: 'heartbeats' },
          { role: TopicRole.SubscribeOnly, cache: CACHE, topic: 'control-account-1' },
        ],
      },
      {
        permissions: [
          { role: TopicRole.PublishOnly, cache: CACHE, topic: 'heartbeats' },
          { role: TopicRole.PublishOnly, cache: 'other-cache', topic: 'heartbeats' },
          { role: TopicRole.PublishOnly, cache: AllCaches, topic: 'heartbeats' },
        ],
      },
    ];
    for (const scope of scopes)
      await expect(mintToken(emulator, scope, ExpiresIn.minutes(1))).resolves.toEqual(expect.any(String));
  });

  it('treats local mode and emulator api keys as super users, and lets only them mint', async () => {
    const { emulator } = session;
    const apiKey = emulator.createApiKey();
    const cache = await cacheClient(tokenCredentials(emulator, apiKey));
    expect(await cache.createCache('made-with-api-key')).toBeInstanceOf(CreateCache.Success);
    expect(emulator.store.hasCache('made-with-api-key')).toBe(true);

    const deviceToken = await deviceWithToken(DisposableTokenScopes.topicPublishSubscribe(CACHE, 'x'), {
      expiresIn: ExpiresIn.minutes(1),
    });
    const deviceAuth = authClient(tokenCredentials(emulator, deviceToken.token));
    const minted = await deviceAuth.generateDisposableToken(
      DisposableTokenScopes.topicPublishOnly(CACHE, 'x'),
      ExpiresIn.minutes(1),
    );
    expect(codeOf(minted)).toBe(MomentoErrorCode.PERMISSION_ERROR);
    const keyAuth = authClient(tokenCredentials(emulator, apiKey));
    const fromKey = await keyAuth.generateDisposableToken(
      DisposableTokenScopes.topicPublishOnly(CACHE, 'x'),
      ExpiresIn.minutes(1),
    );
    expect(codeOf(fromKey)).toMatch(/^not an error/);
    cache.close();
  });
});
