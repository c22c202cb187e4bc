import * as z from 'zod/mini';
import {
  CONTROL_MESSAGE_TYPES,
  HEARTBEAT_MAX_BYTES,
  MESSAGE_VERSION,
  type PublishedControlMessage,
  type PublishedHeartbeatMessage,
} from '../contract/heartbeat';
import {
  DEVICE_NAME_HINT,
  DEVICE_NAME_PATTERN,
  ID_PATTERN_HINTS,
  ID_PATTERNS,
  type IdField,
} from '../contract/identifiers';
import type { TokenGrantBody } from '../contract/token-grant';

/**
 * The wire contracts the device client shares with the backend (see docs/architecture.md):
 * the answers of `POST /tokens` and the messages on the heartbeat and control topics.
 * Built on `zod/mini` so the browser bundle stays small, from the names, patterns and limits of the
 * contract the backend shares (contract/, dependency-free).
 */

const idSchema = (field: IdField) => z.string().check(z.regex(new RegExp(ID_PATTERNS[field]), ID_PATTERN_HINTS[field]));

/** A device id, as the backend accepts it. */
export const deviceIdSchema = idSchema('deviceId');
/** A content, title or room id. */
export const contentIdSchema = idSchema('contentId');
/** A stream kind (camera, screen, audio, ...). */
export const kindSchema = idSchema('kind');
/** A name the viewer gave this device, shown to the account's other devices in a 409. */
export const deviceNameSchema = z.string().check(
  z.regex(new RegExp(DEVICE_NAME_PATTERN, 'u'), DEVICE_NAME_HINT),
  z.refine((name) => name.trim().length > 0, 'must not be blank'),
);

const nonEmpty = z.string().check(z.minLength(1));
const isoTime = z.string().check(z.refine((value) => Number.isFinite(Date.parse(value)), 'must be an ISO time'));

/**
 * The 201 answer of `POST /tokens`: an admitted session and its disposable token. `sessionKey`
 * proves this session in every heartbeat, stop and refresh (the device token is shared by every
 * device of the account, so it proves the account only); keep it as private as the token. A
 * `degraded` answer (the backend fails open while Momento is unreachable) admits the device
 * uncounted and carries neither.
 */
export const tokenGrantSchema = z
  .looseObject({
    token: z.string(),
    sessionId: nonEmpty,
    sessionKey: z.optional(z.string()),
    cacheName: nonEmpty,
    heartbeatTopic: nonEmpty,
    controlTopic: nonEmpty,
    heartbeatIntervalSeconds: z.number().check(z.positive()),
    /** How long the backend keeps the session without a heartbeat (absent from older backends). */
    leaseSeconds: z.optional(z.number().check(z.positive())),
    expiresAt: isoTime,
    /** When the session reaches its maximum duration (absent without one, and from older backends). */
    sessionEndsAt: z.optional(isoTime),
    limit: z.number(),
    active: z.number(),
    degraded: z.optional(z.boolean()),
    // Every field of the grant the backend sends, and no other (contract/token-grant.ts).
  } satisfies Record<keyof TokenGrantBody, z.ZodMiniType>)
  .check(
    z.refine((grant) => grant.degraded === true || grant.token.length > 0, {
      message: 'token must not be empty',
      path: ['token'],
    }),
  )
  .check(
    z.refine((grant) => grant.degraded === true || (grant.sessionKey ?? '').length > 0, {
      message: 'sessionKey must not be empty',
      path: ['sessionKey'],
    }),
  );
export type TokenGrant = z.infer<typeof tokenGrantSchema>;

/** One of the account's active sessions, as listed in a 409 so the player can offer to stop one. */
export const activeSessionSchema = z.looseObject({
  sessionId: nonEmpty,
  deviceId: z.optional(z.string()),
  /** The viewer's name for that device, when it sent one: "stop the Living-room TV". */
  deviceName: z.optional(z.string()),
  contentId: z.optional(z.string()),
  kind: z.optional(z.string()),
  startedAt: z.optional(z.union([z.string(), z.number()])),
  lastHeartbeatAt: z.optional(z.union([z.string(), z.number()])),
});
export type ActiveSession = z.infer<typeof activeSessionSchema>;

/** The 409 answer of `POST /tokens`: the account is at its limit. */
export const refusalSchema = z.looseObject({
  error: z.literal('limit-reached'),
  message: z.string(),
  sessions: z.array(activeSessionSchema),
  limit: z.optional(z.number()),
});
export type Refusal = z.infer<typeof refusalSchema>;

/** Every other error answer: `{ error, message }`. */
export const errorBodySchema = z.looseObject({
  error: nonEmpty,
  message: z.string(),
});

/** A message on the account's control topic. */
export const controlMessageSchema = z.looseObject({
  v: z.literal(MESSAGE_VERSION),
  type: z.enum(CONTROL_MESSAGE_TYPES),
  sessionId: z.string(),
  reason: z.string(),
} satisfies Record<keyof PublishedControlMessage, z.ZodMiniType>);
/**
 * `reason` is an `EvictedReason` in an `evicted` message and a `BackendExpiredReason` in an
 * `expired` one (client/reasons.ts); a `limit-changed` message's reason is a debug hint. Typed as
 * a string because a newer backend may add reasons: treat an unknown one as the generic case.
 */
export type ControlMessage = z.infer<typeof controlMessageSchema>;

/** A message the device publishes on the heartbeat topic (at most 1 KB): the contract's `PublishedHeartbeatMessage`. */
export type HeartbeatMessage = PublishedHeartbeatMessage;

/** The heartbeat contract's size limit, in bytes of UTF-8. */
export { HEARTBEAT_MAX_BYTES };

/** Serialises a heartbeat message, refusing one the subscriber would reject for its size. */
export function encodeHeartbeat(message: HeartbeatMessage): string {
  const text = JSON.stringify(message);
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > HEARTBEAT_MAX_BYTES) {
    throw new RangeError(
      `heartbeat message is ${bytes} bytes; the limit is ${HEARTBEAT_MAX_BYTES} (shorten deviceId, contentId or kind)`,
    );
  }
  return text;
}

/** Parses a control-topic payload; undefined for anything that is not a valid control message. */
export function decodeControlMessage(text: string): ControlMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = controlMessageSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** A one-line description of a schema failure, for error messages. */
export function describeIssues(error: {
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; code: string; message: string }>;
}): string {
  // eslint-disable-next-line no-restricted-syntax -- the client's one copy (the client imports no runtime code)
  return error.issues
    .map(
      (issue) =>
        `${issue.path.map(String).join('.') || '(root)'}: ${issue.message === 'Invalid input' ? issue.code : issue.message}`,
    )
    .join('; ');
}
