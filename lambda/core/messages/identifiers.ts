import * as z from 'zod';
import { ID_PATTERNS, ID_PATTERN_HINTS, type IdField } from '../../../contract/identifiers';

// The zod schemas of the identifiers, built from the contract's patterns (contract/identifiers.ts),
// which API Gateway's request models and the device client check too.

const idSchema = (field: IdField) => z.string().regex(new RegExp(ID_PATTERNS[field]), ID_PATTERN_HINTS[field]);

/**
 * An account id: letters, digits and `._@:+=-`, 1 to 64 characters (an e-mail address passes).
 * At most 64 because it is the device token's token id, which Momento limits to 64 characters.
 */
export const accountIdSchema = idSchema('accountId');

/** A device id chosen by the player (for example a UUID kept in local storage). */
export const deviceIdSchema = idSchema('deviceId');

/** A session id as the engine issues it (a UUID), or as a device echoes it back. */
export const sessionIdSchema = idSchema('sessionId');

/** A content, title or room id. */
export const contentIdSchema = idSchema('contentId');

/** A stream kind (camera, screen, audio, ...), as an admission hook may allow per role. */
export const streamKindSchema = idSchema('kind');

/** A Vonage room id: safe in Momento keys and in Vonage token data. */
export const roomIdSchema = idSchema('roomId');
