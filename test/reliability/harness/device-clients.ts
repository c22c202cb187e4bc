import { CacheClient, Configurations, CredentialProvider, TopicClient, TopicConfigurations } from '@gomomento/sdk';
import type { Emulator } from '../../../local/emulator';

/** What a device holding a token minted by the emulator connects with (plain-text endpoints). */
export function deviceCredentials(emulator: Emulator, token: string): CredentialProvider {
  return CredentialProvider.fromDisposableToken({
    authToken: token,
    endpointOverrides: {
      cacheEndpoint: emulator.address,
      controlEndpoint: emulator.address,
      tokenEndpoint: emulator.address,
      secureConnection: false,
    },
  });
}

export const deviceTopicClient = (emulator: Emulator, token: string): TopicClient =>
  new TopicClient({
    configuration: TopicConfigurations.Default.latest(),
    credentialProvider: deviceCredentials(emulator, token),
  });

export const deviceCacheClient = (emulator: Emulator, token: string): CacheClient =>
  new CacheClient({
    configuration: Configurations.Laptop.v1(),
    credentialProvider: deviceCredentials(emulator, token),
    defaultTtlSeconds: 60,
  });

/** A super user (local mode): the test's own eyes on the emulator. */
export const observerTopicClient = (emulator: Emulator): TopicClient =>
  new TopicClient({
    configuration: TopicConfigurations.Default.latest(),
    credentialProvider: CredentialProvider.forMomentoLocal({ hostname: emulator.hostname, port: emulator.port }),
  });

/** The Momento error code of an SDK response, or what came back instead. */
export function errorCodeOf(response: unknown): string {
  const candidate = response as { errorCode?: () => string; toString(): string };
  return typeof candidate.errorCode === 'function'
    ? candidate.errorCode()
    : `no error: ${candidate.constructor?.name ?? String(candidate)}`;
}
