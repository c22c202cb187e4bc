import type { APIGatewayProxyEvent } from 'aws-lambda';
import { createHandlerDependencies, type HandlerDependencies } from '../../../lambda/core/runtime/handler-dependencies';
import type { DeviceTokenGrant, MintedToken, TokenPort } from '../../../lambda/core/ports/momento-ports';
import { CountingMetrics } from '../core/support/counting-metrics';
import { testConfig } from '../core/support/engine-config';
import { InMemoryCache } from '../core/support/in-memory-cache';
import { ManualClock } from '../core/support/manual-clock';
import { RecordingTopics } from '../core/support/recording-topics';

export interface HandlerFixture {
  deps: HandlerDependencies;
  cache: InMemoryCache;
  topics: RecordingTopics;
  metrics: CountingMetrics;
  clock: ManualClock;
}

export function handlerFixture(env: Record<string, string> = {}, withTokens = true): HandlerFixture {
  const clock = new ManualClock();
  const cache = new InMemoryCache(clock);
  const topics = new RecordingTopics();
  const metrics = new CountingMetrics();
  let minted = 0;
  const tokens: TokenPort = {
    mintDeviceToken: async (grant: DeviceTokenGrant): Promise<MintedToken> => ({
      token: `token-${++minted}-${grant.accountId}`,
      expiresAt: clock.now() + grant.ttlSeconds * 1000,
    }),
  };
  const deps = createHandlerDependencies(
    testConfig(env),
    { cache, topics, tokens: withTokens ? tokens : undefined },
    { metrics, now: clock.now },
  );
  return { deps, cache, topics, metrics, clock };
}

/** A REST proxy event as API Gateway sends it, with an optional verified claim. */
export function apiEvent(options: {
  method: string;
  path: string;
  body?: unknown;
  claims?: Record<string, string>;
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
  /** API Gateway's request id (the id of a denial event derives from it). */
  requestId?: string;
}): APIGatewayProxyEvent {
  return {
    httpMethod: options.method,
    path: options.path,
    resource: options.path,
    body:
      options.body === undefined
        ? null
        : typeof options.body === 'string'
          ? options.body
          : JSON.stringify(options.body),
    isBase64Encoded: false,
    headers: {},
    multiValueHeaders: {},
    pathParameters: options.pathParameters ?? null,
    queryStringParameters: options.query ?? null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    requestContext: {
      requestId: options.requestId ?? 'req-1',
      authorizer: options.claims ? { claims: options.claims } : undefined,
    } as unknown as APIGatewayProxyEvent['requestContext'],
  };
}

export function bodyOf(result: { body: string }): Record<string, unknown> {
  return JSON.parse(result.body) as Record<string, unknown>;
}
