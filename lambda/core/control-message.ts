import { z } from 'zod';
import { sessionIdSchema } from './identifiers';

/** What the engine tells a device on its account's control topic. */
export const controlMessageSchema = z.object({
  v: z.literal(1),
  type: z.enum(['evicted', 'expired', 'limit-changed']),
  sessionId: sessionIdSchema,
  reason: z.string().min(1).max(200),
});

export type ControlMessage = z.infer<typeof controlMessageSchema>;
export type ControlMessageType = ControlMessage['type'];

/** Why a session ended or changed, as written in control messages and lifecycle events. */
export type EndReason =
  | 'stopped'
  | 'lease-expired'
  | 'lease-lost'
  | 'max-duration'
  | 'evicted-by-newer-session'
  | 'ended-by-account'
  | 'replaced';

export function encodeControlMessage(message: ControlMessage): string {
  return JSON.stringify(controlMessageSchema.parse(message));
}
