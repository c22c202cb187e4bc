import { z } from 'zod';
import { accountIdSchema, contentIdSchema, deviceIdSchema, sessionIdSchema, streamKindSchema } from './identifiers';

/**
 * Body of `POST /tokens`. `accountId` is read only when the API is called with IAM (a trusted
 * backend); otherwise the account comes from the verified claim and a body `accountId` is ignored.
 * `sessionId` asks to refresh the token of a session this device already holds. Unknown fields
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
  })
  .strict();

export type TokenRequest = z.infer<typeof tokenRequestSchema>;
