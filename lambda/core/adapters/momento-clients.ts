import {
  AuthClient,
  AuthClientConfigurations,
  CacheClient,
  Configurations,
  CredentialProvider,
  DefaultMomentoLoggerFactory,
  DefaultMomentoLoggerLevel,
  TopicClient,
  TopicConfigurations,
} from '@gomomento/sdk';
import type { MomentoPorts } from '../ports/momento-ports';
import type { RuntimeConfig } from '../runtime/config';
import { MomentoCacheAdapter } from './momento-cache';
import { momentoCredentialProvider } from './momento-credential-provider';
import { MomentoKeyError } from './momento-credentials';
import { MomentoTokenAdapter } from './momento-tokens';
import { MomentoTopicAdapter } from './momento-topics';

// The SDK clients of a process and the three adapters over them.

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
    const endpointOverrides = {
      cacheEndpoint: address,
      controlEndpoint: address,
      tokenEndpoint: address,
      secureConnection: false,
    };
    const localCredentials = (key: string | undefined) =>
      key
        ? CredentialProvider.fromDisposableToken({ authToken: key, endpointOverrides })
        : CredentialProvider.forMomentoLocal(local);
    return { data: localCredentials(keys.dataKey), auth: localCredentials(keys.authKey) };
  }
  if (!keys.dataKey)
    throw new MomentoKeyError(
      'no Momento data key: set DATA_KEY_SECRET_ARN or MOMENTO_DATA_KEY (or MOMENTO_LOCAL_ENDPOINT for local runs)',
    );
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
    ? new AuthClient({
        configuration: AuthClientConfigurations.Default.latest(sdkLogs),
        credentialProvider: authCredentials,
      })
    : undefined;
  return {
    cache: new MomentoCacheAdapter(cacheClient, config.cacheName),
    topics: new MomentoTopicAdapter(topicClient, config.cacheName),
    tokens: authClient ? new MomentoTokenAdapter(authClient, config.cacheName) : undefined,
    close: () => {
      // The SDK's topic and auth clients have no close(): their channels go idle once every
      // subscription is cancelled.
      cacheClient.close();
    },
  };
}
