import * as z from 'zod';
import { DEVICE_NAME_HINT, DEVICE_NAME_PATTERN } from '../../../contract/identifiers';
import { accountIdSchema, contentIdSchema, deviceIdSchema, sessionIdSchema, streamKindSchema } from './identifiers';
import { sessionKeySchema } from './session-key';

/**
 * A name the viewer gave this device ("Living-room TV"), shown to the account's other devices in a
 * 409 so a refusal can say which one to stop. Display only: it never names a session to act on
 * (the `sessionKey` does), and it never enters a cache key or a topic. Letters, digits, marks,
 * spaces and `._'’()&+,-`, 1 to 64 characters, so it cannot carry markup or control characters.
 */
export const deviceNameSchema = z
  .string()
  .regex(new RegExp(DEVICE_NAME_PATTERN, 'u'), DEVICE_NAME_HINT)
  .refine((name) => name.trim().length > 0, 'must not be blank');

/**
 * Body of `POST /tokens`. `accountId` is read only when the API is called with IAM (a trusted
 * backend); otherwise the account comes from the verified claim and a body `accountId` is ignored.
 * `sessionId` asks to refresh the token of a session this device already holds, and must come with
 * that session's `sessionKey` (from its grant), so the ids other devices see do not suffice. Unknown fields
 * are refused (400) rather than ignored, so a caller expecting `limit` or `tokenId` to count learns
 * at once that it does not.
 */
export const tokenRequestSchema = z
  .object({
    accountId: accountIdSchema.optional(),
    deviceId: deviceIdSchema,
    contentId: contentIdSchema.optional(),
    kind: streamKindSchema.optional(),
    deviceName: deviceNameSchema.optional(),
    sessionId: sessionIdSchema.optional(),
    sessionKey: sessionKeySchema.optional(),
  })
  .strict()
  .refine((body) => (body.sessionId === undefined) === (body.sessionKey === undefined), {
    message: 'sessionId and sessionKey go together: a refresh sends both, a new admission neither',
    path: ['sessionKey'],
  });

export type TokenRequest = z.infer<typeof tokenRequestSchema>;
