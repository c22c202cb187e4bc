import { CacheClient, Configurations, CredentialProvider } from '@gomomento/sdk';

/** The real Momento SDK pointed at a local emulator. */
export async function connectCacheClient(hostname: string, port: number, defaultTtlSeconds = 60): Promise<CacheClient> {
  return CacheClient.create({
    configuration: Configurations.Laptop.v1(),
    credentialProvider: CredentialProvider.forMomentoLocal({ hostname, port }),
    defaultTtlSeconds,
  });
}
