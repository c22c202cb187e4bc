/**
 * What a caught value says: an Error's message, anything else as a string. The emulator's own copy
 * of lambda/core/error-message.ts: the emulator imports nothing from the runtime it stands in for.
 */
export function errorMessage(error: unknown): string {
  // eslint-disable-next-line no-restricted-syntax -- the emulator's one copy
  return error instanceof Error ? error.message : String(error);
}
