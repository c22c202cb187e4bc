/**
 * What a caught value says, for an error message: an Error's message, anything else as a string.
 * The client package's own copy of lambda/core/error-message.ts (the client depends on no runtime code).
 */
export function errorMessage(error: unknown): string {
  // eslint-disable-next-line no-restricted-syntax -- the client's one copy
  return error instanceof Error ? error.message : String(error);
}
