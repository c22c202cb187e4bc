import { randomUUID } from 'node:crypto';
import {
  CredentialProvider,
  DefaultMomentoLoggerFactory,
  DefaultMomentoLoggerLevel,
  TopicClient,
  TopicConfigurations,
  TopicPublish,
  TopicSubscribe,
  type TopicItem,
} from '@gomomento/sdk';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { AdmissionHook } from '../../../lambda/core/ports/admission-hook';
import { parseRuntimeConfig, type RuntimeConfig } from '../../../lambda/core/runtime/config';
import { createHandlerDependencies, type HandlerDependencies } from '../../../lambda/core/runtime/handler-dependencies';
import { RecordingEventSink } from '../../lambda/core/support/recording-event-sink';
import type { MomentoPorts } from '../../../lambda/core/ports/momento-ports';
import { createMomentoPorts } from '../../../lambda/core/adapters/momento-clients';
import { CountingMetrics } from '../../lambda/core/support/counting-metrics';
import type { TokenGrantBody } from '../../../lambda/core/engine/token-vending';
import { handleEntitlementRequest } from '../../../lambda/entitlement/handle-entitlement-request';
import { apiEvent } from '../../lambda/support/handler-fixtures';
import {
  startHeartbeatSubscriber,
  type HeartbeatSubscriber,
  type SubscriberOptions,
} from '../../../lambda/heartbeat-subscriber/heartbeat-subscriber';
import { handleTokenRequest } from '../../../lambda/token-vending/handle-token-request';
import { startEmulator, type Emulator } from '../../../local/emulator';

export const CACHE = 'tracker';

/** The whole tracker in-process against the emulator, through the real SDK and the real handlers. */
export class TrackerHarness {
  readonly events = new RecordingEventSink();
  readonly metrics = new CountingMetrics();
  private readonly cleanups: (() => Promise<void> | void)[] = [];

  private constructor(readonly emulator: Emulator) {}

  static async start(): Promise<TrackerHarness> {
    return new TrackerHarness(await startEmulator({ port: 0, caches: [CACHE], heartbeatIntervalMs: 200 }));
  }

  config(env: Record<string, string> = {}): RuntimeConfig {
    return parseRuntimeConfig({
      CACHE_NAME: CACHE,
      HEARTBEAT_TOPIC: 'heartbeat',
      CONTROL_TOPIC_PREFIX: 'control-',
      HEARTBEAT_INTERVAL_SECONDS: '1',
      LEASE_SECONDS: '3',
      DEFAULT_LIMIT: '3',
      TOKEN_TTL_SECONDS: '600',
      MOMENTO_TIMEOUT_MS: '3000',
      MOMENTO_LOCAL_ENDPOINT: this.emulator.address,
      ...env,
    });
  }

  /** The environment of the request-path Lambdas here (what the construct sets, before the secret ARNs). */
  lambdaEnvironment(): Record<string, string> {
    return {
      CACHE_NAME: CACHE,
      HEARTBEAT_INTERVAL_SECONDS: '1',
      LEASE_SECONDS: '3',
      MOMENTO_LOCAL_ENDPOINT: this.emulator.address,
    };
  }

  ports(config: RuntimeConfig): MomentoPorts {
    const ports = createMomentoPorts(config);
    this.cleanups.push(() => ports.close());
    return ports;
  }

  /** The handlers' dependencies (what a Lambda container builds), over fresh SDK clients. */
  api(env: Record<string, string> = {}, hook?: AdmissionHook): Api {
    const config = this.config(env);
    const deps = createHandlerDependencies(config, this.ports(config), {
      events: this.events,
      metrics: this.metrics,
      hook,
    });
    return new Api(deps);
  }

  async subscriber(env: Record<string, string> = {}, options: SubscriberOptions = {}): Promise<HeartbeatSubscriber> {
    const config = this.config(env);
    const subscriber = await startHeartbeatSubscriber(config, {
      ports: this.ports(config),
      events: this.events,
      metrics: this.metrics,
      options: {
        healthPort: false,
        sweepIntervalMs: 200,
        watchdogMs: 2000,
        initialBackoffMs: 100,
        maxBackoffMs: 500,
        ...options,
      },
    });
    this.cleanups.push(() => subscriber.stop());
    await subscriber.ready();
    return subscriber;
  }

  /** A device holding a grant: publishes with its token, listens on its control topic. */
  async device(grant: TokenGrantBody, deviceId: string): Promise<Device> {
    const device = new Device(this.emulator, grant, deviceId);
    await device.listen();
    this.cleanups.push(() => device.close());
    return device;
  }

  async stop(): Promise<void> {
    for (const cleanup of this.cleanups.reverse()) await cleanup();
    await this.emulator.stop();
  }
}

export class Api {
  constructor(readonly deps: HandlerDependencies) {}

  async startSession(accountId: string, body: Record<string, unknown>): Promise<APIGatewayProxyResult> {
    return handleTokenRequest(accountEvent('POST', '/tokens', accountId, body), this.deps);
  }

  async admit(accountId: string, body: Record<string, unknown>): Promise<TokenGrantBody> {
    const result = await this.startSession(accountId, body);
    if (result.statusCode !== 201) throw new Error(`expected 201, got ${result.statusCode}: ${result.body}`);
    return JSON.parse(result.body) as TokenGrantBody;
  }

  async sessions(accountId: string): Promise<{
    accountId: string;
    limit: number;
    active: number;
    allowed: boolean;
    sessions: { sessionId: string; deviceId: string; lastHeartbeatAt?: string }[];
  }> {
    const result = await handleEntitlementRequest(
      accountEvent('GET', `/accounts/${accountId}/sessions`, accountId),
      this.deps,
    );
    if (result.statusCode !== 200) throw new Error(`expected 200, got ${result.statusCode}: ${result.body}`);
    return JSON.parse(result.body);
  }

  /** The session check, as a licence server asks it. */
  async checkSession(accountId: string, sessionId: string): Promise<APIGatewayProxyResult> {
    return handleEntitlementRequest(
      accountEvent('GET', `/accounts/${accountId}/sessions/${sessionId}`, accountId),
      this.deps,
    );
  }

  async endSession(accountId: string, sessionId: string): Promise<APIGatewayProxyResult> {
    return handleEntitlementRequest(
      accountEvent('DELETE', `/accounts/${accountId}/sessions/${sessionId}`, accountId),
      this.deps,
    );
  }
}

/** The proxy event of a Cognito-authorised call by `accountId`, with a fresh request id. */
export function accountEvent(method: string, path: string, accountId: string, body?: unknown): APIGatewayProxyEvent {
  return apiEvent({ method, path, body, claims: { sub: accountId }, requestId: `req-${randomUUID()}` });
}

export class Device {
  readonly control: { type: string; sessionId: string; reason: string }[] = [];
  private readonly client: TopicClient;
  private subscription: TopicSubscribe.Subscription | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    emulator: Emulator,
    readonly grant: TokenGrantBody,
    readonly deviceId: string,
  ) {
    this.client = new TopicClient({
      configuration: TopicConfigurations.Default.latest(
        new DefaultMomentoLoggerFactory(DefaultMomentoLoggerLevel.ERROR),
      ),
      credentialProvider: CredentialProvider.fromDisposableToken({
        authToken: grant.token,
        endpointOverrides: {
          cacheEndpoint: emulator.address,
          controlEndpoint: emulator.address,
          tokenEndpoint: emulator.address,
          secureConnection: false,
        },
      }),
    });
  }

  async listen(): Promise<void> {
    const response = await this.client.subscribe(this.grant.cacheName, this.grant.controlTopic, {
      onItem: (item: TopicItem) => this.control.push(JSON.parse(item.valueString())),
    });
    if (!(response instanceof TopicSubscribe.Subscription))
      throw new Error(`device cannot listen: ${response.toString()}`);
    this.subscription = response;
  }

  async publish(body: Record<string, unknown>): Promise<void> {
    const response = await this.client.publish(this.grant.cacheName, this.grant.heartbeatTopic, JSON.stringify(body));
    if (!(response instanceof TopicPublish.Success)) throw new Error(`publish failed: ${response.toString()}`);
  }

  heartbeat(extra: Record<string, unknown> = {}): Promise<void> {
    return this.publish({
      v: 1,
      type: 'heartbeat',
      sessionId: this.grant.sessionId,
      deviceId: this.deviceId,
      sessionKey: this.grant.sessionKey,
      ...extra,
    });
  }

  stop(): Promise<void> {
    this.stopHeartbeats();
    return this.publish({
      v: 1,
      type: 'stop',
      sessionId: this.grant.sessionId,
      deviceId: this.deviceId,
      sessionKey: this.grant.sessionKey,
    });
  }

  /** Heartbeats on the granted interval until stopped (or "crashed" with stopHeartbeats). */
  startHeartbeats(): void {
    void this.heartbeat().catch(() => undefined);
    this.timer = setInterval(
      () => void this.heartbeat().catch(() => undefined),
      this.grant.heartbeatIntervalSeconds * 1000,
    );
  }

  stopHeartbeats(): void {
    clearInterval(this.timer);
  }

  close(): void {
    this.stopHeartbeats();
    this.subscription?.unsubscribe();
  }
}

/** Polls `check` until it returns a value or `timeoutMs` passes. */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
