import * as z from 'zod';
import { MAX_LIMIT } from '../../contract/limits';

/**
 * Room policies: per room type, how many may be in the room, for how long, who may join and which
 * roles may publish which stream kinds. Rooms map to a type by id pattern (`lesson-*`), first
 * match wins, else `defaultType`. The JSON form is the `VONAGE_ROOM_POLICIES` environment value.
 */

/** What a stream is, from the callback's `videoType` (`audio` when it has no video). */
export const streamKindSchema = z.enum(['camera', 'screen', 'custom', 'audio']);
export type StreamKind = z.infer<typeof streamKindSchema>;

export const roomPolicySchema = z.object({
  /** Seats in the room (a one-to-one lesson: 2). */
  capacity: z.number().int().min(1).max(MAX_LIMIT),
  /** How long the room lasts once started; 0 for no limit. */
  durationSeconds: z.number().int().min(0).default(0),
  /** The duration starts when this many participants are connected (the article's lessons: 2). */
  durationStartsWhen: z.number().int().min(1).default(1),
  /** `open`: any authenticated user; `tickets`: only users on the room's ticket list (or the admission hook). */
  admission: z.enum(['open', 'tickets']).default('open'),
  /** Role of a user the ticket list or hook gives none. */
  defaultRole: z.string().min(1).max(64).default('participant'),
  /**
   * Stream kinds each role may publish; `*` is the fallback for unlisted roles. Absent: every role
   * may publish everything. Present: a role neither listed nor covered by `*` may publish nothing.
   */
  publish: z.record(z.string().min(1), z.array(streamKindSchema)).optional(),
});
export type RoomPolicy = z.infer<typeof roomPolicySchema>;

export const roomPoliciesSchema = z
  .object({
    types: z.record(z.string().min(1), roomPolicySchema),
    rooms: z.array(z.object({ match: z.string().min(1), type: z.string().min(1) })).default([]),
    defaultType: z.string().min(1),
  })
  .superRefine((value, ctx) => {
    const known = new Set(Object.keys(value.types));
    for (const type of [value.defaultType, ...value.rooms.map((room) => room.type)]) {
      if (!known.has(type)) {
        ctx.addIssue({ code: 'custom', message: `room type "${type}" is not defined in "types"` });
      }
    }
  });
export type RoomPolicies = z.infer<typeof roomPoliciesSchema>;

/** A one-to-one room without a time limit: what an unset `VONAGE_ROOM_POLICIES` means. */
export const DEFAULT_ROOM_POLICIES: RoomPolicies = roomPoliciesSchema.parse({
  types: { 'one-to-one': { capacity: 2 } },
  defaultType: 'one-to-one',
});

/** Parses the `VONAGE_ROOM_POLICIES` value; throws a message that says what to fix. */
export function parseRoomPolicies(json: string | undefined): RoomPolicies {
  if (!json) return DEFAULT_ROOM_POLICIES;
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new Error('VONAGE_ROOM_POLICIES is not valid JSON');
  }
  const parsed = roomPoliciesSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`VONAGE_ROOM_POLICIES is invalid: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export interface ResolvedRoomPolicy extends RoomPolicy {
  /** The room type the policy came from. */
  readonly type: string;
}

/** The policy of a room: the first matching pattern's type, else the default type. */
export function policyForRoom(policies: RoomPolicies, roomId: string): ResolvedRoomPolicy {
  const rule = policies.rooms.find((room) => patternMatches(room.match, roomId));
  const type = rule?.type ?? policies.defaultType;
  return { ...policies.types[type], type };
}

function patternMatches(pattern: string, roomId: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`).test(roomId);
}

/** The stream kind of a callback's `videoType`. */
export function streamKindOf(videoType: string | null | undefined): StreamKind {
  const parsed = streamKindSchema.safeParse(videoType);
  return parsed.success ? parsed.data : videoType ? 'custom' : 'audio';
}

/** Whether `role` may publish a stream of `kind` in a room with `policy`. */
export function mayPublish(policy: RoomPolicy, role: string, kind: StreamKind): boolean {
  if (!policy.publish) return true;
  const allowed = policy.publish[role] ?? policy.publish['*'] ?? [];
  return allowed.includes(kind);
}

/** Whether `role` may publish anything: decides the Vonage token role (`publisher` or `subscriber`). */
export function mayPublishAnything(policy: RoomPolicy, role: string): boolean {
  if (!policy.publish) return true;
  return (policy.publish[role] ?? policy.publish['*'] ?? []).length > 0;
}
