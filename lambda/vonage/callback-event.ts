import * as z from 'zod';

/**
 * Session-monitoring callbacks as Vonage sends them (the article's `connectionCreated` sample and
 * Vonage's session-monitoring reference). Objects are loose: Vonage adds fields over time
 * (`applicationId` in the unified environment, `reason` on destroy events) and an unknown field
 * must never turn a valid callback into an error.
 */

const epochMillis = z.number().int().nonnegative();

/** The connection as callbacks describe it; `data` is the token data we signed into the token. */
export const callbackConnectionSchema = z.looseObject({
  id: z.string().min(1),
  createdAt: epochMillis.optional(),
  data: z.string().optional(),
});

const callbackBase = {
  sessionId: z.string().min(1),
  projectId: z.union([z.string(), z.number()]).optional(),
  applicationId: z.string().optional(),
  timestamp: epochMillis,
};

export const connectionCreatedSchema = z.looseObject({
  ...callbackBase,
  event: z.literal('connectionCreated'),
  connection: callbackConnectionSchema,
});

export const connectionDestroyedSchema = z.looseObject({
  ...callbackBase,
  event: z.literal('connectionDestroyed'),
  reason: z.string().optional(),
  connection: callbackConnectionSchema,
});

export const callbackStreamSchema = z.looseObject({
  id: z.string().min(1),
  connection: callbackConnectionSchema,
  createdAt: epochMillis.optional(),
  name: z.string().optional(),
  /** `camera`, `screen` or `custom`; absent for audio-only streams. */
  videoType: z.string().nullish(),
});

export const streamCreatedSchema = z.looseObject({
  ...callbackBase,
  event: z.literal('streamCreated'),
  stream: callbackStreamSchema,
});

export const streamDestroyedSchema = z.looseObject({
  ...callbackBase,
  event: z.literal('streamDestroyed'),
  reason: z.string().optional(),
  stream: callbackStreamSchema,
});

/** The four events this endpoint acts on. */
export const handledCallbackSchema = z.discriminatedUnion('event', [
  connectionCreatedSchema,
  connectionDestroyedSchema,
  streamCreatedSchema,
  streamDestroyedSchema,
]);

export type HandledCallback = z.infer<typeof handledCallbackSchema>;
export type ConnectionCreated = z.infer<typeof connectionCreatedSchema>;
export type ConnectionDestroyed = z.infer<typeof connectionDestroyedSchema>;
export type StreamCreated = z.infer<typeof streamCreatedSchema>;
export type StreamDestroyed = z.infer<typeof streamDestroyedSchema>;

/** Anything else Vonage may send (sessionCreated, sessionDestroyed, future events): acknowledged, ignored. */
const anyCallbackSchema = z.looseObject({ event: z.string().min(1) });

export type ParsedCallback =
  | { kind: 'handled'; callback: HandledCallback }
  | { kind: 'ignored'; event: string }
  | { kind: 'invalid'; message: string };

/** Classifies a verified callback body: one of the four events, another event, or malformed. */
export function parseCallback(body: unknown): ParsedCallback {
  const envelope = anyCallbackSchema.safeParse(body);
  if (!envelope.success) return { kind: 'invalid', message: 'callback has no "event" field' };
  const handled = handledCallbackSchema.safeParse(body);
  if (handled.success) return { kind: 'handled', callback: handled.data };
  const known = ['connectionCreated', 'connectionDestroyed', 'streamCreated', 'streamDestroyed'];
  if (known.includes(envelope.data.event)) {
    return { kind: 'invalid', message: z.prettifyError(handled.error) };
  }
  return { kind: 'ignored', event: envelope.data.event };
}

/**
 * The token data this project signs into every client token (Vonage allows 1000 characters).
 * Short keys keep it small; `v` versions the shape.
 */
export const tokenDataSchema = z.object({
  v: z.literal(1),
  /** Room id (the content scope). */
  room: z.string().min(1),
  /** User (account) the token was vended to. */
  user: z.string().min(1),
  /** Role decided at admission; drives the stream-kind policy. */
  role: z.string().min(1),
  /** Reservation id: the holder of the seat reserved at token time. */
  rsv: z.string().min(1),
  /** Room seat slot the reservation holds. */
  slot: z.number().int().nonnegative(),
  /** Account seat slot the reservation holds (absent without a per-account limit). */
  aslot: z.number().int().nonnegative().optional(),
  /** When the token expires (epoch seconds): how long its one use must be remembered. */
  exp: z.number().int().nonnegative().optional(),
});

export type TokenData = z.infer<typeof tokenDataSchema>;

/** Reads our token data from a connection's `data`; null when absent or not ours. */
export function parseTokenData(data: string | undefined): TokenData | null {
  if (!data) return null;
  try {
    const parsed = tokenDataSchema.safeParse(JSON.parse(data));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function encodeTokenData(data: TokenData): string {
  return JSON.stringify(data);
}
