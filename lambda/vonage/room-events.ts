import { lifecycleEventId, type LifecycleDetailType } from '../core/ports/lifecycle-event-sink';
import type { VonageDependencies } from './vonage-dependencies';

/**
 * Lifecycle events of the Vonage path, in the engine's shape: `deviceId` is the Vonage connection
 * (or the reservation before it connects), `contentId` the room, `kind` is `vonage`, and the id is
 * derived from the content so a retried callback emits the same id.
 */
export async function emitRoomEvent(
  deps: VonageDependencies,
  detailType: LifecycleDetailType,
  fields: {
    readonly roomId: string;
    readonly scope: string;
    readonly userId?: string;
    /** Connection id, or reservation id before the connection exists. */
    readonly subject: string;
    readonly reason?: string;
    readonly limit?: number;
    readonly active?: number;
  },
): Promise<void> {
  await deps.events.emit({
    detailType,
    detail: {
      eventId: lifecycleEventId(detailType, fields.scope, fields.subject, fields.reason ?? ''),
      accountId: fields.userId ?? 'unknown',
      scope: fields.scope,
      sessionId: fields.subject,
      deviceId: fields.subject,
      contentId: fields.roomId,
      kind: 'vonage',
      ...(fields.reason ? { reason: fields.reason } : {}),
      ...(fields.limit !== undefined ? { limit: fields.limit } : {}),
      ...(fields.active !== undefined ? { active: fields.active } : {}),
      at: new Date(deps.now()).toISOString(),
    },
  });
}
