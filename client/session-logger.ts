/**
 * Where a `DeviceSession` writes what it does (state changes, events, scheduled work). Silent unless
 * the player passes `logger` or `debug: true`: a library does not write to the console by itself.
 */
export interface DeviceSessionLogger {
  /** What the session did or plans (every event, every scheduled heartbeat or refresh). */
  debug(message: string, details?: Record<string, unknown>): void;
  /** Something that will end the session or that the player should look at. */
  warn(message: string, details?: Record<string, unknown>): void;
}

const silent: DeviceSessionLogger = { debug: () => undefined, warn: () => undefined };

/** The logger a session uses: the player's own, the console (with `debug: true`), or none. */
export function sessionLogger(
  logger: DeviceSessionLogger | undefined,
  debug: boolean | undefined,
): DeviceSessionLogger {
  if (logger) return logger;
  if (!debug) return silent;
  return {
    debug: (message, details) => console.debug(`[device-session] ${message}`, ...(details ? [details] : [])),
    warn: (message, details) => console.warn(`[device-session] ${message}`, ...(details ? [details] : [])),
  };
}
