import { AuthClient, ExpiresIn, GenerateDisposableToken, TopicRole } from '@gomomento/sdk';
import type { DeviceTokenGrant, MintedToken, TokenPort } from '../ports/momento-ports';
import { failed } from './momento-errors';

/** Mints device tokens with the SDK's AuthClient (the auth key). */
export class MomentoTokenAdapter implements TokenPort {
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
