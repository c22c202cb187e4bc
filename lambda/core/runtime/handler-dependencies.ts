import type { RuntimeConfig } from './config';
import { createEngine, type EngineDependencies } from '../engine/engine';
import type { ConcurrencyEngine } from '../engine/engine-types';
import type { CachePort, TokenPort, TopicPort } from '../ports/momento-ports';
import { noMetrics, silentLogger, type EngineLogger, type EngineMetrics } from '../ports/observability';
import type { SessionKeys } from '../messages/session-key';
import { inProcessSessionKeys } from '../adapters/session-key-secret';

/** What the HTTP request handlers need; built once per Lambda container (or playground). */
export interface HandlerDependencies {
  readonly config: RuntimeConfig;
  readonly engine: ConcurrencyEngine;
  readonly cache: CachePort;
  /** Present where the auth key is (token vending). */
  readonly tokens?: TokenPort;
  /** Derives the per-session keys of grants and checks those of refreshes. */
  readonly sessionKeys: SessionKeys;
  readonly metrics: EngineMetrics;
  readonly logger: EngineLogger;
  readonly now?: () => number;
}

/** The engine's optional dependencies the handlers pass through. */
export type HandlerExtras = Pick<
  EngineDependencies,
  'events' | 'metrics' | 'logger' | 'hook' | 'now' | 'newSessionId'
> & {
  /** @default - from `SESSION_KEY_SECRET`, or the per-process secret (what the in-process subscriber uses too) */
  readonly sessionKeys?: SessionKeys;
};

/** Wires an engine over the given ports for the request handlers (Lambda, playground, tests). */
export function createHandlerDependencies(
  config: RuntimeConfig,
  ports: { readonly cache: CachePort; readonly topics: TopicPort; readonly tokens?: TokenPort },
  extras: HandlerExtras = {},
): HandlerDependencies {
  const metrics = extras.metrics ?? noMetrics;
  const logger = extras.logger ?? silentLogger;
  const engine = createEngine(config, {
    cache: ports.cache,
    topics: ports.topics,
    events: extras.events,
    metrics,
    logger,
    hook: extras.hook,
    now: extras.now,
    newSessionId: extras.newSessionId,
  });
  const sessionKeys = extras.sessionKeys ?? inProcessSessionKeys(config);
  return { config, engine, cache: ports.cache, tokens: ports.tokens, sessionKeys, metrics, logger, now: extras.now };
}
