/**
 * The heartbeat contract's size limit, in bytes of UTF-8: the device client refuses to send a
 * larger message and the subscriber drops one (Momento's own message limit is 4 KB).
 */
export const HEARTBEAT_MAX_BYTES = 1024;

/** The types of message a device publishes on its heartbeat topic. */
export const DEVICE_MESSAGE_TYPES = ['heartbeat', 'stop'] as const;
export type DeviceMessageType = (typeof DEVICE_MESSAGE_TYPES)[number];

/** The types of message the backend publishes on an account's control topic. */
export const CONTROL_MESSAGE_TYPES = ['evicted', 'expired', 'limit-changed'] as const;
export type ControlMessageType = (typeof CONTROL_MESSAGE_TYPES)[number];

/** The version field `v` of every heartbeat, stop and control message. */
export const MESSAGE_VERSION = 1;

/**
 * A heartbeat or stop as a device publishes it on its heartbeat topic (at most
 * {@link HEARTBEAT_MAX_BYTES}). Unknown fields are dropped by the subscriber; the account always
 * comes from the publisher's token id, never from the body.
 */
export interface PublishedHeartbeatMessage {
  readonly v: typeof MESSAGE_VERSION;
  readonly type: DeviceMessageType;
  readonly sessionId: string;
  readonly deviceId: string;
  /** The grant's `sessionKey`: proof that this device holds the session. */
  readonly sessionKey: string;
  readonly contentId?: string;
  readonly kind?: string;
}

/** A message the backend publishes on an account's control topic. */
export interface PublishedControlMessage {
  readonly v: typeof MESSAGE_VERSION;
  readonly type: ControlMessageType;
  readonly sessionId: string;
  /** Why (`EndReason` for `evicted` and `expired`; a debug hint for `limit-changed`). */
  readonly reason: string;
}
