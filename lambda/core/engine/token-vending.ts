import * as z from 'zod';
import { cacheKeys } from './cache-keys';
import type { RuntimeConfig } from '../runtime/config';
import { withDeadline } from './deadline';
import type { AdmissionOutcome, AdmissionRequest, ConcurrencyEngine } from './engine-types';
import { isMomentoCallError, type CachePort, type MintedToken, type TokenPort } from '../ports/momento-ports';
import type { EngineLogger, EngineMetrics } from '../ports/observability';
import { controlTopicName, heartbeatTopicName, shardOf } from './scope';
import type { SessionKeys } from '../messages/session-key';
import type { SessionRecord } from './session-store';
import { errorMessage } from '../error-message';
import type { TokenGrantBody } from '../../../contract/token-grant';

/** The 201 body of `POST /tokens` (contract/token-grant.ts). */
export type { TokenGrantBody };

export type VendOutcome =
  | { readonly kind: 'issued'; readonly grant: TokenGrantBody; readonly reusedToken: boolean }
  /** The admission's refusals, passed on as they are. */
  | Extract<AdmissionOutcome, { readonly kind: 'limit-reached' | 'denied' }>
  | { readonly kind: 'invalid-session-key' };

export interface TokenVendingDeps {
  readonly config: RuntimeConfig;
  readonly engine: ConcurrencyEngine;
  readonly cache: CachePort;
  readonly tokens: TokenPort;
  readonly sessionKeys: SessionKeys;
  readonly metrics: EngineMetrics;
  readonly logger: EngineLogger;
  readonly now?: () => number;
}

const cachedTokenSchema = z.object({ token: z.string().min(1), expiresAt: z.number() });

/**
 * How much life a cached token must have left to be handed out again: enough that the device
 * is not sent straight back to refresh (at least three heartbeats, at least a tenth of the
 * lifetime), but never more than half of it.
 */
export function tokenReuseMarginMs(
  config: Pick<RuntimeConfig, 'heartbeatIntervalSeconds' | 'tokenTtlSeconds'>,
): number {
  const ttlMs = config.tokenTtlSeconds * 1000;
  return Math.min(ttlMs / 2, Math.max(3 * config.heartbeatIntervalSeconds * 1000, ttlMs / 10));
}

/**
 * `POST /tokens` without HTTP: admission, then a device token that may publish only to the
 * account's heartbeat shard and subscribe only to its control topic, with the account as token
 * id and a lifetime no longer than what remains of the session. Tokens of one account are
 * interchangeable, so one is reused from the cache until close to expiry: Momento's auth service
 * is called about once per account per token lifetime.
 */
export async function vendToken(
  request: AdmissionRequest & { readonly sessionKey?: string },
  deps: TokenVendingDeps,
): Promise<VendOutcome> {
  // A refresh names a session: only the device holding that session's key may continue it (and
  // so learn nothing new). The ids a 409 or the entitlement list shows are not enough.
  if (
    request.sessionId !== undefined &&
    !deps.sessionKeys.verify(
      { accountId: request.accountId, sessionId: request.sessionId, deviceId: request.deviceId },
      request.sessionKey,
    )
  ) {
    deps.logger.warn('token refresh without the session key refused', {
      accountId: request.accountId,
      sessionId: request.sessionId,
      deviceId: request.deviceId,
    });
    return { kind: 'invalid-session-key' };
  }
  // The account's cached device token is read in the admission's own first read.
  const tokenKey = cacheKeys.deviceToken(request.accountId);
  const outcome = await deps.engine.admit({ ...request, readAlong: [tokenKey] });
  switch (outcome.kind) {
    case 'limit-reached':
      return { kind: 'limit-reached', limit: outcome.limit, active: outcome.active, sessions: outcome.sessions };
    case 'denied':
      return { kind: 'denied', reason: outcome.reason };
    case 'degraded':
      // Momento is what failed, so no token is minted: the answer stays within the time bound and
      // the player plays on without heartbeats (the empty token says so).
      return {
        kind: 'issued',
        reusedToken: false,
        grant: { ...grantOf(outcome.session, undefined, outcome.limit, 0, deps), degraded: true },
      };
    case 'admitted': {
      let token: { token: MintedToken; reused: boolean };
      // A refresh asks for a later token than the one the device holds, which may be the cached
      // one: it only reuses a token with at least half its lifetime left.
      const refresh = request.sessionId !== undefined && request.sessionId === outcome.session.sessionId;
      try {
        token = await deviceToken(
          outcome.session,
          deps,
          refresh ? deps.config.tokenTtlSeconds * 500 : tokenReuseMarginMs(deps.config),
          outcome.readAlong,
        );
      } catch (error) {
        // The place was taken but the device cannot use it: give it back rather than let it
        // count until its lease runs out. Best effort: Momento may be what failed.
        if (!outcome.continued) {
          await deps.engine
            .stop(request.accountId, {
              v: 1,
              type: 'stop',
              sessionId: outcome.session.sessionId,
              deviceId: outcome.session.deviceId,
            })
            .catch(() => undefined);
        }
        throw error;
      }
      return {
        kind: 'issued',
        reusedToken: token.reused,
        grant: grantOf(outcome.session, token.token, outcome.limit, outcome.active, deps),
      };
    }
  }
}

function grantOf(
  session: SessionRecord,
  token: MintedToken | undefined,
  limit: number,
  active: number,
  deps: TokenVendingDeps,
): TokenGrantBody {
  const { config } = deps;
  return {
    token: token?.token ?? '',
    sessionId: session.sessionId,
    sessionKey: token
      ? deps.sessionKeys.derive({
          accountId: session.accountId,
          sessionId: session.sessionId,
          deviceId: session.deviceId,
        })
      : '',
    cacheName: config.cacheName,
    heartbeatTopic: heartbeatTopicName(
      config.heartbeatTopic,
      shardOf(session.accountId, config.topicShards),
      config.topicShards,
    ),
    controlTopic: controlTopicName(config.controlTopicPrefix, session.accountId),
    heartbeatIntervalSeconds: config.heartbeatIntervalSeconds,
    leaseSeconds: config.leaseSeconds,
    expiresAt: new Date(token?.expiresAt ?? (deps.now ?? Date.now)()).toISOString(),
    // The device ends the session here itself (`max-duration`) instead of refreshing a token cut
    // to it. A degraded answer keeps no session, so it has no end to tell.
    ...(token && session.endsAt !== undefined && { sessionEndsAt: new Date(session.endsAt).toISOString() }),
    limit,
    active,
  };
}

async function deviceToken(
  session: SessionRecord,
  deps: TokenVendingDeps,
  minRemainingMs: number,
  readAlong: ReadonlyMap<string, string | undefined> | undefined,
): Promise<{ token: MintedToken; reused: boolean }> {
  const { config, cache, tokens, metrics } = deps;
  const now = (deps.now ?? Date.now)();
  const marginMs = tokenReuseMarginMs(config);
  const key = cacheKeys.deviceToken(session.accountId);
  const cached = readAlong?.has(key) ? parseCachedToken(readAlong.get(key)) : await readCachedToken(cache, key, deps);
  if (
    cached &&
    cached.expiresAt - now >= Math.max(marginMs, minRemainingMs) &&
    (session.endsAt === undefined || cached.expiresAt <= session.endsAt)
  ) {
    metrics.count('TokensReused');
    return { token: cached, reused: true };
  }
  const remainingSeconds = session.endsAt === undefined ? Infinity : Math.floor((session.endsAt - now) / 1000);
  const ttlSeconds = Math.max(1, Math.min(config.tokenTtlSeconds, remainingSeconds));
  const minted = await withDeadline(
    tokens.mintDeviceToken({
      accountId: session.accountId,
      publishTopic: heartbeatTopicName(
        config.heartbeatTopic,
        shardOf(session.accountId, config.topicShards),
        config.topicShards,
      ),
      subscribeTopic: controlTopicName(config.controlTopicPrefix, session.accountId),
      ttlSeconds,
    }),
    config.momentoTimeoutMs,
    'minting a device token',
  );
  metrics.count('TokensMinted');
  // Only full-lifetime tokens are worth sharing; one cut short by a session's end is not.
  const cacheSeconds = (minted.expiresAt - now - marginMs) / 1000;
  if (ttlSeconds === config.tokenTtlSeconds && cacheSeconds >= 1) {
    await cache.set(key, JSON.stringify(minted), cacheSeconds).catch((error: unknown) => {
      metrics.count('MomentoErrors');
      deps.logger.warn('device token not cached', { accountId: session.accountId, error: errorMessage(error) });
    });
  }
  return { token: minted, reused: false };
}

async function readCachedToken(
  cache: CachePort,
  key: string,
  deps: TokenVendingDeps,
): Promise<MintedToken | undefined> {
  try {
    return parseCachedToken(
      await withDeadline(cache.get(key), deps.config.momentoTimeoutMs, 'reading the cached device token'),
    );
  } catch (error) {
    if (!isMomentoCallError(error)) throw error;
    return undefined; // a cache miss costs one mint; not worth failing the request
  }
}

/** A cached device token as written by {@link deviceToken}; undefined when absent or unreadable (one mint). */
function parseCachedToken(raw: string | undefined): MintedToken | undefined {
  if (raw === undefined) return undefined;
  try {
    const parsed = cachedTokenSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
