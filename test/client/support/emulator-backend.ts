import {
  AuthClient,
  AuthClientConfigurations,
  CredentialProvider,
  ExpiresIn,
  GenerateDisposableToken,
  TopicClient,
  TopicConfigurations,
  TopicPublish,
  TopicRole,
  TopicSubscribe,
  type TopicItem,
} from '@gomomento/sdk';
import type { Emulator } from '../../../local/emulator';
import type { DeviceSession } from '../../../client/index';
import type { TokenAnswer, TokenRequestBody } from '../../../client/token-request';

/** The super-user credentials of the emulator's local mode. */
export const localCredentials = (emulator: Emulator) =>
  CredentialProvider.forMomentoLocal({ hostname: emulator.hostname, port: emulator.port });

export const localTopicClient = (emulator: Emulator) =>
  new TopicClient({
    configuration: TopicConfigurations.Default.latest(),
    credentialProvider: localCredentials(emulator),
  });

export interface TestBackendOptions {
  readonly cacheName: string;
  readonly accountId: string;
  readonly heartbeatTopic: string;
  readonly controlTopic: string;
  readonly heartbeatIntervalSeconds: number;
  readonly tokenLifetimeSeconds: number;
  /** Leave out the control topic permission, to see how the client handles a bad token. */
  readonly withoutControlPermission?: boolean;
}

/**
 * A stand-in for the player's backend and `POST /tokens`: mints, through the SDK's AuthClient, the
 * token the token-vending Lambda would (publish-only on the heartbeat topic, subscribe-only on the
 * account's control topic, token id = account) and answers in the `POST /tokens` contract.
 */
export function testTokenBackend(emulator: Emulator, options: TestBackendOptions) {
  const bodies: TokenRequestBody[] = [];
  const authClient = new AuthClient({
    configuration: AuthClientConfigurations.Default.latest(),
    credentialProvider: localCredentials(emulator),
  });
  let sessions = 0;
  const requestToken = async (body: TokenRequestBody): Promise<TokenAnswer> => {
    bodies.push(body);
    const permissions = [
      { role: TopicRole.PublishOnly, cache: options.cacheName, topic: options.heartbeatTopic },
      ...(options.withoutControlPermission
        ? []
        : [{ role: TopicRole.SubscribeOnly, cache: options.cacheName, topic: options.controlTopic }]),
    ];
    const minted = await authClient.generateDisposableToken(
      { permissions },
      ExpiresIn.seconds(options.tokenLifetimeSeconds),
      {
        tokenId: options.accountId,
      },
    );
    if (!(minted instanceof GenerateDisposableToken.Success)) throw new Error(`minting failed: ${minted.toString()}`);
    sessions += body.sessionId === undefined ? 1 : 0;
    const sessionId = body.sessionId ?? `session-${sessions}`;
    return {
      status: 201,
      body: {
        token: minted.authToken,
        sessionId,
        // A stand-in for the backend's HMAC: these tests look at what the client sends, not at its check.
        sessionKey: `key-of-${sessionId}`,
        cacheName: options.cacheName,
        heartbeatTopic: options.heartbeatTopic,
        controlTopic: options.controlTopic,
        heartbeatIntervalSeconds: options.heartbeatIntervalSeconds,
        expiresAt: new Date(minted.expiresAt.epoch() * 1000).toISOString(),
        limit: 2,
        active: 1,
      },
    };
  };
  return { requestToken, bodies };
}

/** Everything a super-user subscription to one topic saw. */
export interface TopicRecording {
  readonly items: TopicItem[];
  /** Parsed JSON bodies with the publisher's token id. */
  messages(): Array<{ tokenId: string | undefined; body: Record<string, unknown> }>;
  close(): void;
}

export async function recordTopic(client: TopicClient, cacheName: string, topic: string): Promise<TopicRecording> {
  const items: TopicItem[] = [];
  const response = await client.subscribe(cacheName, topic, { onItem: (item) => items.push(item) });
  if (!(response instanceof TopicSubscribe.Subscription)) throw new Error(`subscribe failed: ${response.toString()}`);
  return {
    items,
    messages: () =>
      items.map((item) => ({
        tokenId: item.tokenId(),
        body: JSON.parse(item.valueString()) as Record<string, unknown>,
      })),
    close: () => response.unsubscribe(),
  };
}

export async function publishControl(
  client: TopicClient,
  cacheName: string,
  topic: string,
  message: unknown,
): Promise<void> {
  const response = await client.publish(cacheName, topic, JSON.stringify(message));
  if (!(response instanceof TopicPublish.Success)) throw new Error(`publish failed: ${response.toString()}`);
}

/**
 * Resolves once `session` hears a `limit-changed` message with `reason` on its control topic, which
 * it is sent until it does (every device of the account is told one, and it changes nothing). A topic
 * keeps its order, so a control message published before this, while the session listened, has
 * reached it by then; and one published after this cannot be missed by a subscription not open yet.
 */
export async function hearsControl(
  session: DeviceSession,
  client: TopicClient,
  cacheName: string,
  topic: string,
  reason: string,
): Promise<void> {
  let heard = false;
  const off = session.on('limit-changed', (message) => (heard ||= message.reason === reason));
  try {
    const deadline = Date.now() + 10_000;
    while (!heard) {
      if (Date.now() > deadline) throw new Error(`the session did not hear "${reason}" on ${topic} within 10 s`);
      await publishControl(client, cacheName, topic, { v: 1, type: 'limit-changed', sessionId: '', reason });
      await waitFor(() => heard, 250, reason).catch(() => undefined); // not yet listening: send it again
    }
  } finally {
    off();
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}
