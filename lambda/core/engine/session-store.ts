import * as z from 'zod';
import { cacheKeys } from './cache-keys';
import type { Holder } from './counting-strategy';
import type { CacheItem, CachePort } from '../ports/momento-ports';

/** What the engine remembers about an admitted session (one JSON item per session). */
export const sessionRecordSchema = z.object({
  sessionId: z.string(),
  accountId: z.string(),
  deviceId: z.string(),
  /** The viewer's name for the device (display only; never in a key). */
  deviceName: z.string().optional(),
  contentId: z.string().optional(),
  kind: z.string().optional(),
  scopeKey: z.string(),
  shard: z.number().int().nonnegative(),
  /** Lease slot (lease strategy only). */
  slot: z.number().int().nonnegative().optional(),
  /** The limit the session was admitted under. */
  limit: z.number().int().positive(),
  /** Epoch ms. */
  startedAt: z.number(),
  /** Epoch ms when the maximum duration runs out; absent without a maximum. */
  endsAt: z.number().optional(),
});

export type SessionRecord = z.infer<typeof sessionRecordSchema>;

/** Who holds the session's place: its device, of its account, with the details the entitlement check shows. */
export function holderOf(record: SessionRecord): Holder {
  return {
    accountId: record.accountId,
    deviceId: record.deviceId,
    sessionId: record.sessionId,
    details: sessionDetails(record),
  };
}

/** What a place tells the entitlement check about its session, besides the holder's ids. */
export interface SessionDetails {
  readonly startedAt: number;
  readonly deviceName?: string;
  readonly contentId?: string;
  readonly kind?: string;
}

const sessionDetailsSchema = z.object({
  s: z.number(),
  n: z.string().optional(),
  c: z.string().optional(),
  k: z.string().optional(),
});

/**
 * The session's details as kept in its place (base64url JSON: no spaces, so a lease value stays
 * space-separated). Deterministic, so a conditional write can name the value the claim wrote.
 */
export function sessionDetails(record: Pick<SessionRecord, 'startedAt' | 'deviceName' | 'contentId' | 'kind'>): string {
  const json = JSON.stringify({ s: record.startedAt, n: record.deviceName, c: record.contentId, k: record.kind });
  return Buffer.from(json).toString('base64url');
}

/** The details a place holds; undefined when absent or unreadable. */
export function parseSessionDetails(encoded: string | undefined): SessionDetails | undefined {
  if (encoded === undefined) return undefined;
  try {
    const parsed = sessionDetailsSchema.safeParse(JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')));
    if (!parsed.success) return undefined;
    const { s, n, c, k } = parsed.data;
    return {
      startedAt: s,
      ...(n !== undefined && { deviceName: n }),
      ...(c !== undefined && { contentId: c }),
      ...(k !== undefined && { kind: k }),
    };
  } catch {
    return undefined;
  }
}

/** Session records in the cache. A record's TTL outlives its session; the end marker is authoritative. */
export class SessionStore {
  constructor(private readonly cache: CachePort) {}

  async get(sessionId: string): Promise<SessionRecord | undefined> {
    return parseRecord(await this.cache.get(cacheKeys.session(sessionId)));
  }

  async getMany(sessionIds: readonly string[]): Promise<Map<string, SessionRecord>> {
    const found = new Map<string, SessionRecord>();
    if (sessionIds.length === 0) return found;
    const values = await this.cache.getBatch(sessionIds.map((id) => cacheKeys.session(id)));
    values.forEach((value) => {
      const record = parseRecord(value);
      if (record) found.set(record.sessionId, record);
    });
    return found;
  }

  async put(record: SessionRecord, ttlSeconds: number): Promise<void> {
    await this.cache.set(cacheKeys.session(record.sessionId), JSON.stringify(record), ttlSeconds);
  }

  /** The record as a cache item, for a caller that writes it in a batch with other items. */
  item(record: SessionRecord, ttlSeconds: number): CacheItem {
    return { key: cacheKeys.session(record.sessionId), value: JSON.stringify(record), ttlSeconds };
  }

  async delete(sessionId: string): Promise<void> {
    await this.cache.delete(cacheKeys.session(sessionId));
  }
}

export function parseRecord(value: string | undefined): SessionRecord | undefined {
  if (value === undefined) return undefined;
  try {
    const result = sessionRecordSchema.safeParse(JSON.parse(value));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}
