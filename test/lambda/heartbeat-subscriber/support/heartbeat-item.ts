import type { SessionKeys } from '../../../../lambda/core/messages/session-key';
import type { TopicMessage } from '../../../../lambda/core/ports/momento-ports';

/** A heartbeat of device `d` as it arrives on the heartbeat topic: signed with its session key, stamped with the account's token id. */
export function heartbeatItem(sessionKeys: SessionKeys, accountId: string, sessionId: string): TopicMessage {
  return {
    value: JSON.stringify({
      v: 1,
      type: 'heartbeat',
      sessionId,
      deviceId: 'd',
      sessionKey: sessionKeys.derive({ accountId, sessionId, deviceId: 'd' }),
    }),
    tokenId: accountId,
    sequenceNumber: 1,
  };
}
