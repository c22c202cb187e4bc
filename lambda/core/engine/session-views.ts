import { cacheKeys } from './cache-keys';
import type { RuntimeConfig } from '../runtime/config';
import type { HeldPlace, Holder } from './counting-strategy';
import type { SessionView } from './engine-types';
import type { CachePort } from '../ports/momento-ports';
import type { ScopeRef } from './scope';
import { parseSessionDetails, type SessionDetails, type SessionRecord, type SessionStore } from './session-store';

export interface SessionViewDeps {
  readonly config: Pick<RuntimeConfig, 'leaseSeconds' | 'limitScope'>;
  readonly cache: CachePort;
  readonly sessions: SessionStore;
}

/**
 * Session views of the places a scope holds (for the entitlement check and a 409), limited to
 * `accountId`'s own sessions: under the content scope a room holds other accounts' devices too.
 * A place written with its session's details answers from itself, so the check needs no further
 * read; only places without them (baselines, places written by earlier versions) cost a read of
 * their records and of their deadlines (`lastHeartbeatAt` is the deadline minus the lease).
 */
export async function describePlaces(
  deps: SessionViewDeps,
  places: readonly HeldPlace[],
  accountId: string,
  scope: ScopeRef,
): Promise<SessionView[]> {
  const { cache, sessions, config } = deps;
  let holders = places.map((place) => place.holder);
  const described = new Map(
    holders.flatMap((holder) => {
      const details = parseSessionDetails(holder.details);
      return details ? [[holder.sessionId, { holder, details }] as const] : [];
    }),
  );
  if (holders.some((holder) => holder.sessionId === '')) {
    // Interval dictionaries keep only device ids: find their sessions through the device pointer.
    const pointers = await cache.getBatch(holders.map((holder) => cacheKeys.deviceSession(scope.key, holder.deviceId)));
    holders = holders.map((holder, i) =>
      holder.sessionId === '' ? { ...holder, sessionId: pointers[i] ?? '' } : holder,
    );
  }
  const records = await sessions.getMany(
    holders.map((holder) => holder.sessionId).filter((id) => id !== '' && !described.has(id)),
  );
  const byShard = new Map<number, string[]>();
  for (const record of records.values())
    byShard.set(record.shard, [...(byShard.get(record.shard) ?? []), record.sessionId]);
  const deadlines = new Map<string, number>();
  for (const [shard, ids] of byShard) {
    for (const [id, score] of await cache.sortedSetScores(cacheKeys.deadlines(shard), ids)) deadlines.set(id, score);
  }
  return holders.flatMap((holder): SessionView[] => {
    const fromPlace = described.get(holder.sessionId);
    if (fromPlace)
      return fromPlace.holder.accountId === accountId ? [placeView(fromPlace.holder, fromPlace.details)] : [];
    const record = records.get(holder.sessionId);
    if (!record)
      return config.limitScope === 'content'
        ? []
        : [{ sessionId: holder.sessionId, deviceId: holder.deviceId, startedAt: new Date(0).toISOString() }];
    if (record.accountId !== accountId) return [];
    return [sessionView(record, deadlines.get(record.sessionId), config.leaseSeconds)];
  });
}

/** The view of a session from its place alone: no heartbeat time (that lives in the deadline index). */
function placeView(holder: Holder, details: SessionDetails): SessionView {
  return {
    sessionId: holder.sessionId,
    deviceId: holder.deviceId,
    ...(details.deviceName !== undefined && { deviceName: details.deviceName }),
    contentId: details.contentId,
    kind: details.kind,
    startedAt: new Date(details.startedAt).toISOString(),
  };
}

/**
 * The view of one session; `deadline` is its lease deadline from the shard's deadline index (epoch
 * ms), so `lastHeartbeatAt` is the deadline minus the lease.
 */
export function sessionView(record: SessionRecord, deadline: number | undefined, leaseSeconds: number): SessionView {
  const expiresAt =
    deadline === undefined ? record.endsAt : record.endsAt === undefined ? deadline : Math.min(deadline, record.endsAt);
  return {
    sessionId: record.sessionId,
    deviceId: record.deviceId,
    ...(record.deviceName !== undefined && { deviceName: record.deviceName }),
    contentId: record.contentId,
    kind: record.kind,
    startedAt: new Date(record.startedAt).toISOString(),
    lastHeartbeatAt: deadline === undefined ? undefined : new Date(deadline - leaseSeconds * 1000).toISOString(),
    expiresAt: expiresAt === undefined ? undefined : new Date(expiresAt).toISOString(),
  };
}
