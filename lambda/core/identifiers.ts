import { z } from 'zod';

// Identifiers end up inside cache keys, lease values and topic names, so they are restricted to
// characters that never collide with the separators those use (`|`, `#`, space).

/**
 * An account id: letters, digits and `._@:+=-`, 1 to 64 characters (an e-mail address passes).
 * At most 64 because it is the device token's token id, which Momento limits to 64 characters.
 */
export const accountIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9._@:+=-]{1,64}$/, 'must be 1 to 64 letters, digits or ._@:+=-');

/** A device id chosen by the player (for example a UUID kept in local storage). */
export const deviceIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1 to 128 letters, digits or ._:-');

/** A session id as the engine issues it (a UUID), or as a device echoes it back. */
export const sessionIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1 to 128 letters, digits or ._:-');

/** A content, title or room id. */
export const contentIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9._:/@+=-]{1,256}$/, 'must be 1 to 256 letters, digits or ._:/@+=-');

/** A stream kind (camera, screen, audio, ...), as an admission hook may allow per role. */
export const streamKindSchema = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,32}$/, 'must be 1 to 32 letters, digits or ._-');
