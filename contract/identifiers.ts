/**
 * The identifiers in request bodies and device messages, as regular-expression sources (JSON
 * Schema `pattern`s for API Gateway's request models; `new RegExp(source)` for the runtime's and the
 * device client's schemas). Identifiers end up inside cache keys, lease values and topic names, so
 * they are restricted to characters that never collide with the separators those use (`|`, `#`,
 * space).
 */
export const ID_PATTERNS = {
  /**
   * Letters, digits and `._@:+=-`, 1 to 64 characters (an e-mail address passes). At most 64
   * because it is the device token's token id, which Momento limits to 64 characters.
   */
  accountId: '^[A-Za-z0-9._@:+=-]{1,64}$',
  /** Chosen by the player (for example a UUID kept in local storage). */
  deviceId: '^[A-Za-z0-9._:-]{1,128}$',
  /** As the engine issues it (a UUID), or as a device echoes it back. */
  sessionId: '^[A-Za-z0-9._:-]{1,128}$',
  /** The grant's per-session key: 32 bytes of HMAC-SHA256 in base64url without padding. */
  sessionKey: '^[A-Za-z0-9_-]{43}$',
  /** A content, title or room id. */
  contentId: '^[A-Za-z0-9._:/@+=-]{1,256}$',
  /** A stream kind (camera, screen, audio, ...), as an admission hook may allow per role. */
  kind: '^[A-Za-z0-9._-]{1,32}$',
  /** A Vonage room. */
  roomId: '^[A-Za-z0-9._:-]{1,128}$',
} as const;

/** A field whose pattern is in {@link ID_PATTERNS}. */
export type IdField = keyof typeof ID_PATTERNS;

/** What each pattern allows, in words, for error messages. */
export const ID_PATTERN_HINTS: Readonly<Record<IdField, string>> = {
  accountId: 'must be 1 to 64 letters, digits or ._@:+=-',
  deviceId: 'must be 1 to 128 letters, digits or ._:-',
  sessionId: 'must be 1 to 128 letters, digits or ._:-',
  sessionKey: 'must be the sessionKey of the grant (43 characters of base64url)',
  contentId: 'must be 1 to 256 letters, digits or ._:/@+=-',
  kind: 'must be 1 to 32 letters, digits or ._-',
  roomId: 'room ids are 1-128 characters of A-Z a-z 0-9 . _ : -',
};

/**
 * A name the viewer gave a device ("Living-room TV"), shown to the account's other devices in a
 * 409: letters, digits, marks, spaces and `._'’()&+,-`, 1 to 64 characters (not blank), so it
 * cannot carry markup or control characters. A Unicode pattern: use it with the `u` flag.
 */
export const DEVICE_NAME_PATTERN = "^[\\p{L}\\p{N}\\p{M} ._'’()&+,-]{1,64}$";
export const DEVICE_NAME_HINT = "must be 1 to 64 letters, digits, spaces or ._'’()&+,-";

/**
 * A Momento endpoint as the settings take it (`MOMENTO_ENDPOINT`, the construct's `momentoEndpoint`,
 * the verify command's `--endpoint`): a DNS host name of two or more labels, such as
 * `cell-4-us-west-2-1.prod.a.momentohq.com`, to which the SDK prefixes `cache.`, `control.` and
 * `token.`; so no scheme, port or path.
 */
export const MOMENTO_ENDPOINT_HOST =
  /^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
