import {
  AuthClient,
  AuthClientConfigurations,
  CacheClient,
  CacheDelete,
  CacheDictionaryFetch,
  CacheDictionaryIncrement,
  CacheDictionaryLength,
  CacheGet,
  CacheGetBatch,
  CacheListFetch,
  CacheListPushBack,
  CacheSet,
  CacheSetIfAbsent,
  CacheSetIfAbsentOrEqual,
  CacheSetIfEqual,
  CacheSortedSetFetch,
  CacheSortedSetGetScores,
  CacheSortedSetPutElement,
  CacheSortedSetPutElements,
  CacheSortedSetRemoveElements,
  CollectionTtl,
  Configurations,
  CredentialProvider,
  DefaultMomentoLoggerFactory,
  DefaultMomentoLoggerLevel,
  ExpiresIn,
  GenerateDisposableToken,
  MomentoErrorCode,
  TopicClient,
  TopicConfigurations,
  TopicPublish,
  TopicRole,
  TopicSubscribe,
  type SdkError,
} from '@gomomento/sdk';
import type { RuntimeConfig } from '../runtime/config';
import { momentoCredentialProvider } from './momento-credential-provider';
import { MomentoKeyError } from './momento-credentials';
import {
  MomentoCallError,
  type CachePort,
  type DeviceTokenGrant,
  type MintedToken,
  type MomentoErrorKind,
  type MomentoPorts,
  type TokenPort,
  type TopicPort,
  type TopicSubscription,
  type TopicSubscriptionHandlers,
} from '../ports/momento-ports';

/** What every Momento error response offers. */
interface ErrorResponse {
  errorCode(): MomentoErrorCode;
  message(): string;
}

const ERROR_KINDS: Partial<Record<MomentoErrorCode, MomentoErrorKind>> = {
  [MomentoErrorCode.AUTHENTICATION_ERROR]: 'authentication',
  [MomentoErrorCode.PERMISSION_ERROR]: 'permission',
  [MomentoErrorCode.NOT_FOUND_ERROR]: 'not-found',
  [MomentoErrorCode.INVALID_ARGUMENT_ERROR]: 'invalid',
  [MomentoErrorCode.BAD_REQUEST_ERROR]: 'invalid',
  [MomentoErrorCode.FAILED_PRECONDITION_ERROR]: 'invalid',
  [MomentoErrorCode.TIMEOUT_ERROR]: 'unavailable',
  [MomentoErrorCode.SERVER_UNAVAILABLE]: 'unavailable',
  [MomentoErrorCode.CONNECTION_ERROR]: 'unavailable',
  [MomentoErrorCode.INTERNAL_SERVER_ERROR]: 'unavailable',
  [MomentoErrorCode.CANCELLED_ERROR]: 'unavailable',
  [MomentoErrorCode.LIMIT_EXCEEDED_ERROR]: 'throttled',
  [MomentoErrorCode.CLIENT_RESOURCE_EXHAUSTED]: 'unavailable',
  [MomentoErrorCode.UNKNOWN_SERVICE_ERROR]: 'unavailable',
};

export function toMomentoCallError(response: ErrorResponse | SdkError, what: string): MomentoCallError {
  const code = response.errorCode();
  const message = typeof response.message === 'function' ? response.message() : String(response.message);
  return new MomentoCallError(ERROR_KINDS[code] ?? 'other', `${what}: ${message}`, code);
}

/** Momento's documented maximum item TTL (24 hours); a longer TTL fails the write. */
export const MOMENTO_MAX_TTL_SECONDS = 86_400;

/**
 * The SDK takes TTLs in whole seconds and throws on a fraction; the ports take any positive
 * number of seconds (a token cached until shortly before its expiry is rarely whole), so round up,
 * and cap at Momento's maximum (index sets and session records may ask for longer).
 */
export function wholeSeconds(ttlSeconds: number): number {
  return Math.min(MOMENTO_MAX_TTL_SECONDS, Math.max(1, Math.ceil(ttlSeconds)));
}

function failed(response: unknown, what: string): never {
  if (response && typeof (response as ErrorResponse).errorCode === 'function') throw toMomentoCallError(response as ErrorResponse, what);
  throw new MomentoCallError('other', `${what}: unexpected response ${String(response)}`);
}

/** The cache port over the SDK's CacheClient, bound to one cache. */
export class MomentoCachePort implements CachePort {
  constructor(
    private readonly client: CacheClient,
    private readonly cacheName: string,
  ) {}

  async get(key: string): Promise<string | undefined> {
    const r = await this.client.get(this.cacheName, key);
    if (r instanceof CacheGet.Hit) return r.valueString();
    if (r instanceof CacheGet.Miss) return undefined;
    return failed(r, 'get');
  }

  async getBatch(keys: readonly string[]): Promise<(string | undefined)[]> {
    if (keys.length === 0) return [];
    const r = await this.client.getBatch(this.cacheName, [...keys]);
    if (!(r instanceof CacheGetBatch.Success)) return failed(r, 'getBatch');
    return r.results().map((item) => {
      if (item instanceof CacheGet.Hit) return item.valueString();
      if (item instanceof CacheGet.Miss) return undefined;
      return failed(item, 'getBatch');
    });
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    const r = await this.client.set(this.cacheName, key, value, { ttl: wholeSeconds(ttlSeconds) });
    if (!(r instanceof CacheSet.Success)) failed(r, 'set');
  }

  async delete(key: string): Promise<void> {
    const r = await this.client.delete(this.cacheName, key);
    if (!(r instanceof CacheDelete.Success)) failed(r, 'delete');
  }

  async setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    const r = await this.client.setIfAbsent(this.cacheName, key, value, { ttl: wholeSeconds(ttlSeconds) });
    if (r instanceof CacheSetIfAbsent.Stored) return true;
    if (r instanceof CacheSetIfAbsent.NotStored) return false;
    return failed(r, 'setIfAbsent');
  }

  async setIfAbsentOrEqual(key: string, value: string, equal: string, ttlSeconds: number): Promise<boolean> {
    const r = await this.client.setIfAbsentOrEqual(this.cacheName, key, value, equal, { ttl: wholeSeconds(ttlSeconds) });
    if (r instanceof CacheSetIfAbsentOrEqual.Stored) return true;
    if (r instanceof CacheSetIfAbsentOrEqual.NotStored) return false;
    return failed(r, 'setIfAbsentOrEqual');
  }

  async setIfEqual(key: string, value: string, equal: string, ttlSeconds: number): Promise<boolean> {
    const r = await this.client.setIfEqual(this.cacheName, key, value, equal, { ttl: wholeSeconds(ttlSeconds) });
    if (r instanceof CacheSetIfEqual.Stored) return true;
    if (r instanceof CacheSetIfEqual.NotStored) return false;
    return failed(r, 'setIfEqual');
  }

  async listPushBack(list: string, value: string, keepLast: number, ttlSeconds: number): Promise<void> {
    const r = await this.client.listPushBack(this.cacheName, list, value, { truncateFrontToSize: keepLast, ttl: CollectionTtl.of(wholeSeconds(ttlSeconds)) });
    if (!(r instanceof CacheListPushBack.Success)) failed(r, 'listPushBack');
  }

  async listFetch(list: string): Promise<string[]> {
    const r = await this.client.listFetch(this.cacheName, list);
    if (r instanceof CacheListFetch.Hit) return r.valueListString();
    if (r instanceof CacheListFetch.Miss) return [];
    return failed(r, 'listFetch');
  }

  async dictionaryIncrement(dictionary: string, field: string, amount: number, ttlSeconds: number): Promise<void> {
    const r = await this.client.dictionaryIncrement(this.cacheName, dictionary, field, amount, { ttl: CollectionTtl.of(wholeSeconds(ttlSeconds)) });
    if (!(r instanceof CacheDictionaryIncrement.Success)) failed(r, 'dictionaryIncrement');
  }

  async dictionaryFields(dictionary: string): Promise<string[]> {
    const r = await this.client.dictionaryFetch(this.cacheName, dictionary);
    if (r instanceof CacheDictionaryFetch.Hit) return [...r.valueMapStringString().keys()];
    if (r instanceof CacheDictionaryFetch.Miss) return [];
    return failed(r, 'dictionaryFetch');
  }

  async dictionaryLength(dictionary: string): Promise<number> {
    const r = await this.client.dictionaryLength(this.cacheName, dictionary);
    if (r instanceof CacheDictionaryLength.Hit) return r.length();
    if (r instanceof CacheDictionaryLength.Miss) return 0;
    return failed(r, 'dictionaryLength');
  }

  async sortedSetPut(set: string, element: string, score: number, ttlSeconds: number): Promise<void> {
    const r = await this.client.sortedSetPutElement(this.cacheName, set, element, score, { ttl: CollectionTtl.of(wholeSeconds(ttlSeconds)) });
    if (!(r instanceof CacheSortedSetPutElement.Success)) failed(r, 'sortedSetPutElement');
  }

  async sortedSetPutMany(set: string, elements: readonly { element: string; score: number }[], ttlSeconds: number): Promise<void> {
    if (elements.length === 0) return;
    const pairs = elements.map((e): [string, number] => [e.element, e.score]);
    const r = await this.client.sortedSetPutElements(this.cacheName, set, pairs, { ttl: CollectionTtl.of(wholeSeconds(ttlSeconds)) });
    if (!(r instanceof CacheSortedSetPutElements.Success)) failed(r, 'sortedSetPutElements');
  }

  async sortedSetRange(set: string, minScore: number, maxScore: number, count: number): Promise<{ element: string; score: number }[]> {
    const r = await this.client.sortedSetFetchByScore(this.cacheName, set, { minScore, maxScore, count });
    if (r instanceof CacheSortedSetFetch.Hit) return r.valueArrayStringElements().map((e) => ({ element: e.value, score: e.score }));
    if (r instanceof CacheSortedSetFetch.Miss) return [];
    return failed(r, 'sortedSetFetchByScore');
  }

  async sortedSetScores(set: string, elements: readonly string[]): Promise<Map<string, number>> {
    if (elements.length === 0) return new Map();
    const r = await this.client.sortedSetGetScores(this.cacheName, set, [...elements]);
    if (r instanceof CacheSortedSetGetScores.Hit) return r.valueMapString();
    if (r instanceof CacheSortedSetGetScores.Miss) return new Map();
    return failed(r, 'sortedSetGetScores');
  }

  async sortedSetRemove(set: string, elements: readonly string[]): Promise<void> {
    if (elements.length === 0) return;
    const r = await this.client.sortedSetRemoveElements(this.cacheName, set, [...elements]);
    if (!(r instanceof CacheSortedSetRemoveElements.Success)) failed(r, 'sortedSetRemoveElements');
  }
}

/** The topic port over the SDK's TopicClient, bound to one cache. */
export class MomentoTopicPort implements TopicPort {
  constructor(
    private readonly client: TopicClient,
    private readonly cacheName: string,
  ) {}

  async publish(topic: string, message: string): Promise<void> {
    const r = await this.client.publish(this.cacheName, topic, message);
    if (!(r instanceof TopicPublish.Success)) failed(r, 'publish');
  }

  async subscribe(topic: string, handlers: TopicSubscriptionHandlers, timeoutMs: number): Promise<TopicSubscription> {
    let abandoned = false;
    // The SDK resolves only once the first stream message (item or heartbeat) arrives.
    const pending = this.client.subscribe(this.cacheName, topic, {
      onItem: (item) => {
        if (!abandoned) handlers.onMessage({ value: item.value(), tokenId: item.tokenId(), sequenceNumber: item.sequenceNumber() });
      },
      onHeartbeat: () => {
        if (!abandoned) handlers.onHeartbeat?.();
      },
      onDiscontinuity: (d) => {
        if (!abandoned) handlers.onDiscontinuity?.(d.lastSequenceNumber(), d.newSequenceNumber());
      },
      onError: (error) => {
        if (!abandoned) handlers.onError?.(toMomentoCallError(error, 'subscription'));
      },
      onConnectionLost: () => {
        if (!abandoned) handlers.onConnectionLost?.();
      },
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
      timer.unref?.();
    });
    const result = await Promise.race([pending, timeout]).finally(() => clearTimeout(timer));
    if (result === 'timeout') {
      abandoned = true;
      void pending.then((late) => {
        if (late instanceof TopicSubscribe.Subscription) late.unsubscribe();
      });
      throw new MomentoCallError('unavailable', `subscribe to ${topic}: no answer within ${timeoutMs} ms`, 'DEADLINE');
    }
    if (!(result instanceof TopicSubscribe.Subscription)) return failed(result, `subscribe to ${topic}`);
    return {
      unsubscribe: () => {
        abandoned = true;
        result.unsubscribe();
      },
    };
  }
}

/** Mints device tokens with the SDK's AuthClient (the auth key). */
export class MomentoTokenPort implements TokenPort {
  constructor(
    private readonly client: AuthClient,
    private readonly cacheName: string,
  ) {}

  async mintDeviceToken(grant: DeviceTokenGrant): Promise<MintedToken> {
    const r = await this.client.generateDisposableToken(
      {
        permissions: [
          { role: TopicRole.PublishOnly, cache: this.cacheName, topic: grant.publishTopic },
          { role: TopicRole.SubscribeOnly, cache: this.cacheName, topic: grant.subscribeTopic },
        ],
      },
      ExpiresIn.seconds(grant.ttlSeconds),
      { tokenId: grant.accountId },
    );
    if (!(r instanceof GenerateDisposableToken.Success)) return failed(r, 'generateDisposableToken');
    return { token: r.authToken, expiresAt: r.expiresAt.epoch() * 1000 };
  }
}

/** The keys a process holds; which it needs depends on its role. Never logged. */
export interface MomentoKeys {
  readonly dataKey?: string;
  readonly authKey?: string;
}

/** The SDK credentials of a process: the data key's, and the auth key's where it is given. */
export interface MomentoCredentials {
  readonly data: CredentialProvider;
  readonly auth?: CredentialProvider;
}

/**
 * The credentials for a process. With `config.momentoLocalEndpoint` (local runs) each is the key
 * given, sent to the emulator, or the emulator's local credentials; otherwise the data key is required, and each
 * key is read by its kind (a v2 key with `config.momentoEndpoint`, a legacy key with the endpoints
 * it carries). Throws a {@link MomentoKeyError} naming what to change, without key material.
 */
export function momentoCredentials(config: RuntimeConfig, keys: MomentoKeys = {}): MomentoCredentials {
  const local = config.momentoLocalEndpoint;
  if (local) {
    // A key named in a local run (the emulator's api keys) goes to the emulator in plain text, and
    // the emulator verifies it; without one, local mode's super user.
    const address = `${local.hostname}:${local.port}`;
    const endpointOverrides = { cacheEndpoint: address, controlEndpoint: address, tokenEndpoint: address, secureConnection: false };
    const localCredentials = (key: string | undefined) =>
      key ? CredentialProvider.fromDisposableToken({ authToken: key, endpointOverrides }) : CredentialProvider.forMomentoLocal(local);
    return { data: localCredentials(keys.dataKey), auth: localCredentials(keys.authKey) };
  }
  if (!keys.dataKey) throw new MomentoKeyError('no Momento data key: set DATA_KEY_SECRET_ARN or MOMENTO_DATA_KEY (or MOMENTO_LOCAL_ENDPOINT for local runs)');
  return {
    data: momentoCredentialProvider(keys.dataKey, config.momentoEndpoint, 'data'),
    auth: keys.authKey ? momentoCredentialProvider(keys.authKey, config.momentoEndpoint, 'auth') : undefined,
  };
}

/**
 * Builds the ports for a process over {@link momentoCredentials}; the token port exists only
 * where there are auth credentials (local runs, or the auth key given).
 */
export function createMomentoPorts(config: RuntimeConfig, keys: MomentoKeys = {}): MomentoPorts {
  const { data: dataCredentials, auth: authCredentials } = momentoCredentials(config, keys);
  // The SDK logs reconnects at INFO on the console; warnings and errors are enough.
  const sdkLogs = new DefaultMomentoLoggerFactory(DefaultMomentoLoggerLevel.WARN);
  const cacheClient = new CacheClient({
    configuration: Configurations.Lambda.latest(sdkLogs).withClientTimeoutMillis(config.momentoTimeoutMs),
    credentialProvider: dataCredentials,
    defaultTtlSeconds: config.leaseSeconds,
  });
  const topicClient = new TopicClient({
    // The SDK warns each time it restarts a stream (a subscription's first stream ends at the
    // request timeout by design); the subscriber logs losses and reconnects itself, in JSON.
    configuration: TopicConfigurations.Default.latest(new DefaultMomentoLoggerFactory(DefaultMomentoLoggerLevel.ERROR)),
    credentialProvider: dataCredentials,
  });
  const authClient = authCredentials
    ? new AuthClient({ configuration: AuthClientConfigurations.Default.latest(sdkLogs), credentialProvider: authCredentials })
    : undefined;
  return {
    cache: new MomentoCachePort(cacheClient, config.cacheName),
    topics: new MomentoTopicPort(topicClient, config.cacheName),
    tokens: authClient ? new MomentoTokenPort(authClient, config.cacheName) : undefined,
    close: () => {
      // The SDK's topic and auth clients have no close(): their channels go idle once every
      // subscription is cancelled.
      cacheClient.close();
    },
  };
}
