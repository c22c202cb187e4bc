/**
 * Patterns of the identifiers in request bodies, as API Gateway's request models check them at the
 * edge. They mirror the runtime's schemas (`lambda/core/identifiers.ts`, `lambda/vonage/room-policy.ts`),
 * which validate again; `test/construct/contract.test.ts` checks that the two agree.
 */
export const REQUEST_ID_PATTERNS = {
  accountId: '^[A-Za-z0-9._@:+=-]{1,64}$',
  deviceId: '^[A-Za-z0-9._:-]{1,128}$',
  sessionId: '^[A-Za-z0-9._:-]{1,128}$',
  sessionKey: '^[A-Za-z0-9_-]{43}$',
  contentId: '^[A-Za-z0-9._:/@+=-]{1,256}$',
  kind: '^[A-Za-z0-9._-]{1,32}$',
  roomId: '^[A-Za-z0-9._:-]{1,128}$',
} as const;
