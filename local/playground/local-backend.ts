import type { APIGatewayProxyResult } from 'aws-lambda';
import type { RuntimeConfig } from '../../lambda/core/config';
import { MomentoUnavailableError } from '../../lambda/core/engine';
import type { ConcurrencyEngine } from '../../lambda/core/engine-types';
import { parseHeartbeatMessage } from '../../lambda/core/heartbeat-message';
import { accountIdSchema, sessionIdSchema } from '../../lambda/core/identifiers';
import type { LifecycleEventSink } from '../../lambda/core/lifecycle-events';
import type { MomentoPorts, TopicSubscription } from '../../lambda/core/momento-ports';
import type { CountingMetrics } from '../../lambda/core/observability-ports';
import { controlTopicName, heartbeatTopicName, shardOf } from '../../lambda/core/scope';
import { tokenRequestSchema } from '../../lambda/core/token-request';
import type { ApiRoutes } from './local-api-server';

export interface LocalBackendOptions {
  readonly config: RuntimeConfig;
  readonly ports: MomentoPorts;
  readonly engine: ConcurrencyEngine;
  readonly events: LifecycleEventSink;
  readonly metrics: CountingMetrics;
}

/** The API routes and the heartbeat subscriber, running in the playground's process. */
export interface LocalBackend {
  readonly routes: ApiRoutes;
  stop(): Promise<void>;
}

/**
 * INTERIM: the routes and the subscriber loop written here over the engine, because the handlers
 * (`lambda/token-vending`, `lambda/entitlement`) and `startHeartbeatSubscriber` had not landed when
 * the playground was built. Replace with the handlers' own request handling when they exist.
 */
export async function startLocalBackend(options: LocalBackendOptions): Promise<LocalBackend> {
  const { config, ports, engine } = options;
  const tokens = ports.tokens;
  if (!tokens) throw new Error('the playground needs a token port (local credentials)');

  const routes: ApiRoutes = {
    createToken: (event) =>
      guard(async () => {
        const body = parseJson(event.body);
        if (body === undefined) return error(400, 'invalid-json', 'the request body must be JSON');
        const parsed = tokenRequestSchema.safeParse(body);
        if (!parsed.success) return error(400, 'invalid-request', issues(parsed.error.issues));
        const accountId = parsed.data.accountId;
        if (!accountId) return error(400, 'invalid-request', 'accountId is required when the API is called with IAM');
        const outcome = await engine.admit({ ...parsed.data, accountId, requestId: event.requestContext.requestId });
        if (outcome.kind === 'limit-reached') {
          return json(409, {
            error: 'limit-reached',
            message: `account ${accountId} has ${outcome.active} of ${outcome.limit} sessions in use; stop one to continue`,
            limit: outcome.limit,
            active: outcome.active,
            sessions: outcome.sessions,
          });
        }
        if (outcome.kind === 'denied') return error(403, 'denied', outcome.reason);
        const shard = shardOf(accountId, config.topicShards);
        const heartbeatTopic = heartbeatTopicName(config.heartbeatTopic, shard, config.topicShards);
        const controlTopic = controlTopicName(config.controlTopicPrefix, accountId);
        const minted = await tokens.mintDeviceToken({ accountId, publishTopic: heartbeatTopic, subscribeTopic: controlTopic, ttlSeconds: config.tokenTtlSeconds });
        return json(201, {
          token: minted.token,
          sessionId: outcome.session.sessionId,
          cacheName: config.cacheName,
          heartbeatTopic,
          controlTopic,
          heartbeatIntervalSeconds: config.heartbeatIntervalSeconds,
          expiresAt: new Date(minted.expiresAt).toISOString(),
          limit: outcome.limit,
          active: outcome.kind === 'admitted' ? outcome.active : outcome.limit,
        });
      }),
    listSessions: (event) =>
      guard(async () => {
        const accountId = accountIdSchema.safeParse(event.pathParameters?.accountId);
        if (!accountId.success) return error(400, 'invalid-request', `accountId ${accountId.error.issues[0].message}`);
        return json(200, await engine.listSessions(accountId.data, event.queryStringParameters?.contentId));
      }),
    endSession: (event) =>
      guard(async () => {
        const accountId = accountIdSchema.safeParse(event.pathParameters?.accountId);
        const sessionId = sessionIdSchema.safeParse(event.pathParameters?.sessionId);
        if (!accountId.success || !sessionId.success) return error(400, 'invalid-request', 'accountId or sessionId is malformed');
        const result = await engine.endSession(accountId.data, sessionId.data);
        return result === 'ended' ? json(200, { accountId: accountId.data, sessionId: sessionId.data, ended: true }) : error(404, 'not-found', 'no such session');
      }),
  };

  // The subscriber: every shard's heartbeat topic, the account from the token id, a sweep a second.
  const subscriptions: TopicSubscription[] = [];
  for (const shard of config.subscriberShards) {
    const topic = heartbeatTopicName(config.heartbeatTopic, shard, config.topicShards);
    subscriptions.push(
      await ports.topics.subscribe(
        topic,
        {
          onMessage: (item) => {
            const parsed = parseHeartbeatMessage(item.value);
            if (!parsed.ok || !item.tokenId) {
              options.metrics.count('HeartbeatsRejected');
              return;
            }
            void engine.handleDeviceMessage(item.tokenId, parsed.message).catch(() => options.metrics.count('MomentoErrors'));
          },
        },
        5000,
      ),
    );
  }
  let sweeping = false;
  const sweeper = setInterval(() => {
    if (sweeping) return;
    sweeping = true;
    void engine
      .sweep(config.subscriberShards)
      .catch(() => undefined)
      .finally(() => (sweeping = false));
  }, 500);

  return {
    routes,
    stop: async () => {
      clearInterval(sweeper);
      for (const subscription of subscriptions) subscription.unsubscribe();
    },
  };
}

async function guard(run: () => Promise<APIGatewayProxyResult>): Promise<APIGatewayProxyResult> {
  try {
    return await run();
  } catch (caught) {
    if (caught instanceof MomentoUnavailableError) return error(503, 'unavailable', caught.message);
    throw caught;
  }
}

function parseJson(body: string | null): unknown {
  if (body === null) return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

function issues(list: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string {
  return list.map((issue) => `${issue.path.map(String).join('.') || 'body'}: ${issue.message}`).join('; ');
}

function json(statusCode: number, body: unknown): APIGatewayProxyResult {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

function error(statusCode: number, code: string, message: string): APIGatewayProxyResult {
  return json(statusCode, { error: code, message });
}
