import {
  AuthClient,
  AuthClientConfigurations,
  CacheClient,
  Configurations,
  CredentialProvider,
  GenerateDisposableToken,
  TopicClient,
  TopicConfigurations,
  TopicSubscribe,
  type ExpiresIn,
  type TopicDiscontinuity,
  type TopicItem,
} from '@gomomento/sdk';
import type { DisposableTokenScope } from '@gomomento/sdk';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../../../local/emulator';

/** Credentials of local mode (no token): a super user. */
export const localCredentials = (emulator: Emulator) =>
  CredentialProvider.forMomentoLocal({ hostname: emulator.hostname, port: emulator.port });

/** Credentials of a device holding a token the emulator minted, with plain-text endpoint overrides. */
export const tokenCredentials = (emulator: Emulator, authToken: string) =>
  CredentialProvider.fromDisposableToken({
    authToken,
    endpointOverrides: {
      cacheEndpoint: emulator.address,
      controlEndpoint: emulator.address,
      tokenEndpoint: emulator.address,
      secureConnection: false,
    },
  });

export const cacheClient = (credentialProvider: CredentialProvider) =>
  CacheClient.create({ configuration: Configurations.Laptop.v1(), credentialProvider, defaultTtlSeconds: 60 });

export const topicClient = (credentialProvider: CredentialProvider) =>
  new TopicClient({ configuration: TopicConfigurations.Default.latest(), credentialProvider });

/** An auth client (minting tokens) with an explicit configuration, so the SDK logs nothing. */
export const authClient = (credentialProvider: CredentialProvider) =>
  new AuthClient({ configuration: AuthClientConfigurations.Default.latest(), credentialProvider });

/** Mints a disposable token through the SDK's AuthClient in local mode. */
export async function mintToken(
  emulator: Emulator,
  scope: DisposableTokenScope,
  expiresIn: ExpiresIn,
  tokenId?: string,
): Promise<string> {
  const client = authClient(localCredentials(emulator));
  const response = await client.generateDisposableToken(
    scope,
    expiresIn,
    tokenId !== undefined ? { tokenId } : undefined,
  );
  if (!(response instanceof GenerateDisposableToken.Success)) throw new Error(`minting failed: ${response.toString()}`);
  return response.authToken;
}

/** What a subscription saw, in order. */
export interface Recorded {
  readonly items: TopicItem[];
  readonly discontinuities: TopicDiscontinuity[];
  heartbeats: number;
  readonly errors: string[];
  connectionLosses: number;
  subscription: TopicSubscribe.Subscription;
}

/** Subscribes and records everything; fails the test when subscribing fails. */
export async function record(client: TopicClient, cacheName: string, topicName: string): Promise<Recorded> {
  const recorded = {
    items: [],
    discontinuities: [],
    heartbeats: 0,
    errors: [],
    connectionLosses: 0,
  } as unknown as Recorded;
  const response = await client.subscribe(cacheName, topicName, {
    onItem: (item) => recorded.items.push(item),
    onDiscontinuity: (gap) => recorded.discontinuities.push(gap),
    onHeartbeat: () => {
      recorded.heartbeats += 1;
    },
    onError: (error) => recorded.errors.push(error.toString()),
    onConnectionLost: () => {
      recorded.connectionLosses += 1;
    },
  });
  if (!(response instanceof TopicSubscribe.Subscription)) throw new Error(`subscribe failed: ${response.toString()}`);
  recorded.subscription = response;
  return recorded;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every 20 ms until it holds, or fails after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

/** The error code of an SDK response, or what came back instead. */
export function codeOf(response: unknown): string {
  const candidate = response as { errorCode?: () => string; toString(): string };
  return typeof candidate.errorCode === 'function' ? candidate.errorCode() : `not an error: ${candidate.toString()}`;
}

/** Starts an emulator with a cache for a test file and stops it afterwards. */
export function useEmulator(
  cacheName: string,
  options: EmulatorOptions = {},
): { emulator: Emulator; cacheName: string } {
  const holder = { cacheName } as { emulator: Emulator; cacheName: string };
  beforeAll(async () => {
    holder.emulator = await startEmulator({ ...options, caches: [cacheName, ...(options.caches ?? [])] });
  });
  afterAll(async () => {
    await holder.emulator?.stop();
  });
  return holder;
}
