import * as z from 'zod';
import { CONTROL_MESSAGE_TYPES, MESSAGE_VERSION, type PublishedControlMessage } from '../../../contract/heartbeat';
import { sessionIdSchema } from './identifiers';

/** What the engine tells a device on its account's control topic. */
export const controlMessageSchema = z.object({
  v: z.literal(MESSAGE_VERSION),
  type: z.enum(CONTROL_MESSAGE_TYPES),
  sessionId: sessionIdSchema,
  reason: z.string().min(1).max(200),
} satisfies Record<keyof PublishedControlMessage, z.ZodType>);

export type ControlMessage = z.infer<typeof controlMessageSchema>;
export type ControlMessageType = ControlMessage['type'];

/**
 * Why a session ended, as written in control messages and lifecycle events: the list the device
 * client exports (client/reasons.ts, dependency-free), so both sides name the same reasons.
 */
export type { EndReason } from '../../../client/reasons';

export function encodeControlMessage(message: ControlMessage): string {
  return JSON.stringify(controlMessageSchema.parse(message));
}
