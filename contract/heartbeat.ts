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
