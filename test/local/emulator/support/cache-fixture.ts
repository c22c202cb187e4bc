import { CreateCache, type CacheClient } from '@gomomento/sdk';
import { startEmulator, type Emulator } from '../../../../local/emulator';
import { connectCacheClient } from './sdk-clients';

export interface CacheFixture {
  /** The SDK client, connected once per test file. */
  readonly client: CacheClient;
  readonly server: Emulator;
  /** A cache created for this test file. */
  readonly cacheName: string;
}

/**
 * Starts the emulator and an SDK client (local mode: an empty token, a super user) for one test file (beforeAll) and stops both (afterAll).
 * Read the fields inside tests, not at module load.
 */
export function useCacheFixture(cacheName: string): CacheFixture {
  const fixture = { cacheName } as { client: CacheClient; server: Emulator; cacheName: string };
  beforeAll(async () => {
    fixture.server = await startEmulator();
    fixture.client = await connectCacheClient(fixture.server.hostname, fixture.server.port);
    const created = await fixture.client.createCache(cacheName);
    if (!(created instanceof CreateCache.Success))
      throw new Error(`could not create ${cacheName}: ${created.toString()}`);
  });
  afterAll(async () => {
    fixture.client?.close();
    await fixture.server?.stop();
  });
  return fixture;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The error code of an SDK error response, or a description of what came back instead. */
export function errorCodeOf(response: unknown): string {
  const candidate = response as { errorCode?: () => string; toString(): string };
  return typeof candidate.errorCode === 'function' ? candidate.errorCode() : `not an error: ${candidate.toString()}`;
}
