import * as z from 'zod';
import {
  DEVICE_MESSAGE_TYPES,
  HEARTBEAT_MAX_BYTES,
  MESSAGE_VERSION,
  type PublishedHeartbeatMessage as ContractHeartbeatMessage,
} from '../../../contract/heartbeat';
import { contentIdSchema, deviceIdSchema, sessionIdSchema, streamKindSchema } from './identifiers';
import { sessionKeySchema } from './session-key';
import { describeIssues } from '../schema-issues';

/**
 * What a device publishes on its heartbeat topic. Unknown fields are dropped, not trusted: the
 * account always comes from the publisher's token id, so a body naming an account changes nothing.
 * `sessionKey` (the grant's, see session-key.ts) proves the message comes from the session's own
 * device; the subscriber checks it before the engine. `v` stays 1: the field was added, and a
 * reader that does not know it drops it.
 */
export const heartbeatMessageSchema = z.object({
  v: z.literal(MESSAGE_VERSION),
  type: z.enum(DEVICE_MESSAGE_TYPES),
  sessionId: sessionIdSchema,
  deviceId: deviceIdSchema,
  sessionKey: sessionKeySchema,
  contentId: contentIdSchema.optional(),
  kind: streamKindSchema.optional(),
} satisfies Record<keyof ContractHeartbeatMessage, z.ZodType>);

/** A heartbeat or stop as published, with its session key. */
export type PublishedHeartbeatMessage = z.infer<typeof heartbeatMessageSchema>;

/** What the engine acts on: a device message whose session key the subscriber has checked. */
export type HeartbeatMessage = Omit<PublishedHeartbeatMessage, 'sessionKey'>;

export type HeartbeatParseResult =
  | { readonly ok: true; readonly message: PublishedHeartbeatMessage }
  | { readonly ok: false; readonly reason: 'too-large' | 'not-json' | 'invalid'; readonly detail: string };

/** Parses a raw topic item; never throws (a bad message is counted and dropped by the caller). */
export function parseHeartbeatMessage(raw: string | Uint8Array): HeartbeatParseResult {
  const bytes = typeof raw === 'string' ? Buffer.byteLength(raw, 'utf8') : raw.byteLength;
  if (bytes > HEARTBEAT_MAX_BYTES) {
    return { ok: false, reason: 'too-large', detail: `${bytes} bytes, at most ${HEARTBEAT_MAX_BYTES}` };
  }
  const text = typeof raw === 'string' ? raw : Buffer.from(raw).toString('utf8');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not-json', detail: 'body is not JSON' };
  }
  const result = heartbeatMessageSchema.safeParse(body);
  if (!result.success) {
    return {
      ok: false,
      reason: 'invalid',
      detail: describeIssues(result.error, '(body)'),
    };
  }
  return { ok: true, message: result.data };
}

/** Serialises a heartbeat the way devices send it (used by tests, benchmarks and the playground). */
export function encodeHeartbeatMessage(message: PublishedHeartbeatMessage): string {
  return JSON.stringify(heartbeatMessageSchema.parse(message));
}
