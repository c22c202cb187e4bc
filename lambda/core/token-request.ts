import { z } from 'zod';
import { accountIdSchema, contentIdSchema, deviceIdSchema, sessionIdSchema, streamKindSchema } from './identifiers';
import { sessionKeySchema } from './session-key';

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
    sessionId: sessionIdSchema.optional(),
    sessionKey: sessionKeySchema.optional(),
  })
  .strict()
  .refine((body) => (body.sessionId === undefined) === (body.sessionKey === undefined), {
    message: 'sessionId and sessionKey go together: a refresh sends both, a new admission neither',
    path: ['sessionKey'],
  });

export type TokenRequest = z.infer<typeof tokenRequestSchema>;
