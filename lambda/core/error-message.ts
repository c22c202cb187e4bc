/** What a caught value says, for a log line or an error message: an Error's message, anything else as a string. */
export function errorMessage(error: unknown): string {
  // eslint-disable-next-line no-restricted-syntax -- the one copy the rule points to
  return error instanceof Error ? error.message : String(error);
}

/** {@link errorMessage} after the Error's name (`TypeError: ...`), where the kind of failure matters to the reader. */
export function errorNameAndMessage(error: unknown): string {
  // eslint-disable-next-line no-restricted-syntax -- the one copy the rule points to
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
