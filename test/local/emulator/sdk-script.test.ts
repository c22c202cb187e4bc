/**
 * The "done when" script: with the emulator started as `npm run emulator` starts it, code
 * using only @gomomento/sdk creates a cache, mints a publish-only token with a token id, publishes
 * with it, receives the item with that token id, and is refused elsewhere.
 */
import {
  AuthClient,
  AuthClientConfigurations,
  CacheClient,
  Configurations,
  CreateCache,
  CredentialProvider,
  DisposableTokenScopes,
  ExpiresIn,
  GenerateDisposableToken,
  MomentoErrorCode,
  TopicClient,
  TopicConfigurations,
  TopicPublish,
  TopicSubscribe,
  type TopicItem,
} from '@gomomento/sdk';
import { spawnEmulator, type EmulatorProcess } from './support/emulator-process';

let running: EmulatorProcess;
beforeAll(async () => {
  running = await spawnEmulator(['--port', '0']);
}, 60_000);
afterAll(async () => {
  await running?.terminate();
});

const errorCode = (response: unknown) => (response as { errorCode?: () => string }).errorCode?.();

it('creates a cache, mints a publish-only token with an id, publishes, receives it with that id, and is refused elsewhere', async () => {
  const local = CredentialProvider.forMomentoLocal({ hostname: running.hostname, port: running.port });
  const admin = await CacheClient.create({
    configuration: Configurations.Laptop.v1(),
    credentialProvider: local,
    defaultTtlSeconds: 60,
  });
  expect(await admin.createCache('concurrency')).toBeInstanceOf(CreateCache.Success);

  const auth = new AuthClient({ configuration: AuthClientConfigurations.Default.latest(), credentialProvider: local });
  const minted = await auth.generateDisposableToken(
    DisposableTokenScopes.topicPublishOnly('concurrency', 'heartbeats'),
    ExpiresIn.minutes(10),
    {
      tokenId: 'account-123',
    },
  );
  expect(minted).toBeInstanceOf(GenerateDisposableToken.Success);
  const { authToken } = minted as GenerateDisposableToken.Success;

  const received: TopicItem[] = [];
  const subscription = await new TopicClient({
    configuration: TopicConfigurations.Default.latest(),
    credentialProvider: local,
  }).subscribe('concurrency', 'heartbeats', { onItem: (item) => received.push(item) });
  expect(subscription).toBeInstanceOf(TopicSubscribe.Subscription);

  const address = `${running.hostname}:${running.port}`;
  const device = CredentialProvider.fromDisposableToken({
    authToken,
    endpointOverrides: {
      cacheEndpoint: address,
      controlEndpoint: address,
      tokenEndpoint: address,
      secureConnection: false,
    },
  });
  const deviceTopics = new TopicClient({
    configuration: TopicConfigurations.Default.latest(),
    credentialProvider: device,
  });
  expect(await deviceTopics.publish('concurrency', 'heartbeats', '{"v":1,"type":"heartbeat"}')).toBeInstanceOf(
    TopicPublish.Success,
  );

  const deadline = Date.now() + 30_000;
  while (received.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(received).toHaveLength(1);
  expect(received[0]?.value()).toBe('{"v":1,"type":"heartbeat"}');
  expect(received[0]?.tokenId()).toBe('account-123');

  expect(errorCode(await deviceTopics.publish('concurrency', 'someone-else', 'x'))).toBe(
    MomentoErrorCode.PERMISSION_ERROR,
  );
  const deviceCache = await CacheClient.create({
    configuration: Configurations.Laptop.v1(),
    credentialProvider: device,
    defaultTtlSeconds: 60,
  });
  expect(errorCode(await deviceCache.get('concurrency', 'lease#account-123#0'))).toBe(
    MomentoErrorCode.PERMISSION_ERROR,
  );

  (subscription as TopicSubscribe.Subscription).unsubscribe();
  deviceCache.close();
  admin.close();
}, 60_000);
