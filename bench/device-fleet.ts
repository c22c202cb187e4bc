import { CredentialProvider, TopicClient, TopicConfigurations, TopicPublish } from '@gomomento/sdk';
import type { RuntimeConfig } from '../lambda/core/runtime/config';
import type { HeartbeatMessage } from '../lambda/core/messages/heartbeat-message';
import type { TokenPort } from '../lambda/core/ports/momento-ports';
import { controlTopicName, heartbeatTopicName, shardOf } from '../lambda/core/engine/scope';
import type { SessionKeys } from '../lambda/core/messages/session-key';
import { inProcessSessionKeys } from '../lambda/core/adapters/session-key-secret';

/** A device the fleet keeps heartbeating. */
export interface FleetDevice {
  readonly accountId: string;
  readonly deviceId: string;
  readonly sessionId: string;
}

/** A heartbeating device's handle. */
export interface HeartbeatingDevice {
  readonly device: FleetDevice;
  /** Heartbeats published so far. */
  readonly heartbeats: number;
  /** Heartbeats the emulator refused or that failed. */
  readonly failures: number;
  /** `performance.now()` when the last heartbeat was sent (NaN before the first). */
  readonly lastHeartbeatAt: number;
  /** A polite stop: the stop message, then silence. Resolves when the stop is published. */
  stop(): Promise<void>;
  /** Silence without a stop message: only the lease can free the slot. */
  crash(): void;
}

/**
 * Simulated players: one device token per account (tokens of an account are interchangeable, as
 * the token-vending Lambda reuses them), one SDK `TopicClient` per account, heartbeats published
 * on the account's shard with the token, so Momento stamps the account as the token id. This is
 * the device side of the real path: device → topic → subscriber → cache.
 */
export class DeviceFleet {
  private readonly publishers = new Map<string, Promise<{ client: TopicClient; topic: string }>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Publishes Momento did not accept, and the last one's response. */
  refusals = 0;
  lastRefusal: string | undefined;
  /** The keys token vending would have granted (same secret as the subscriber's). */
  private readonly sessionKeys: SessionKeys;

  constructor(
    private readonly config: RuntimeConfig,
    private readonly tokens: TokenPort,
    /** `host:port` of the emulator the tokens are used against. */
    private readonly endpoint: string,
  ) {
    this.sessionKeys = inProcessSessionKeys(config);
  }

  /** Publishes one device message, with its session key, with the account's token; resolves whether Momento accepted it. */
  async publish(accountId: string, message: HeartbeatMessage): Promise<boolean> {
    const { client, topic } = await this.publisherFor(accountId);
    const sessionKey = this.sessionKeys.derive({ accountId, sessionId: message.sessionId, deviceId: message.deviceId });
    const response = await client.publish(this.config.cacheName, topic, JSON.stringify({ ...message, sessionKey }));
    if (response instanceof TopicPublish.Success) return true;
    this.refusals += 1;
    this.lastRefusal = response.toString();
    return false;
  }

  /** Publishes one heartbeat of `device`; resolves whether Momento accepted it. */
  heartbeat(device: FleetDevice): Promise<boolean> {
    return this.publish(device.accountId, {
      v: 1,
      type: 'heartbeat',
      sessionId: device.sessionId,
      deviceId: device.deviceId,
    });
  }

  /** Starts heartbeating every interval, at a random phase so a fleet does not beat in step. */
  startHeartbeating(device: FleetDevice, intervalMs = this.config.heartbeatIntervalSeconds * 1000): HeartbeatingDevice {
    let heartbeats = 0;
    let failures = 0;
    let timer: NodeJS.Timeout | undefined;
    let silent = false;
    let lastHeartbeatAt = Number.NaN;
    const beat = () => {
      if (silent) return;
      lastHeartbeatAt = performance.now();
      void this.heartbeat(device)
        .then((ok) => (ok ? (heartbeats += 1) : (failures += 1)))
        .catch(() => (failures += 1));
    };
    const first = setTimeout(() => {
      this.timers.delete(first);
      if (silent) return;
      beat();
      timer = setInterval(beat, intervalMs);
      this.timers.add(timer);
    }, Math.random() * intervalMs);
    this.timers.add(first);
    const silence = () => {
      silent = true;
      clearTimeout(first);
      this.timers.delete(first);
      if (timer) {
        clearInterval(timer);
        this.timers.delete(timer);
      }
    };
    return {
      device,
      get heartbeats() {
        return heartbeats;
      },
      get failures() {
        return failures;
      },
      get lastHeartbeatAt() {
        return lastHeartbeatAt;
      },
      stop: async () => {
        silence();
        await this.publish(device.accountId, {
          v: 1,
          type: 'stop',
          sessionId: device.sessionId,
          deviceId: device.deviceId,
        });
      },
      crash: silence,
    };
  }

  /** Stops every timer (devices go silent). */
  close(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers.clear();
  }

  private publisherFor(accountId: string): Promise<{ client: TopicClient; topic: string }> {
    let publisher = this.publishers.get(accountId);
    if (!publisher) {
      publisher = this.newPublisher(accountId);
      this.publishers.set(accountId, publisher);
    }
    return publisher;
  }

  private async newPublisher(accountId: string): Promise<{ client: TopicClient; topic: string }> {
    const { config } = this;
    const topic = heartbeatTopicName(config.heartbeatTopic, shardOf(accountId, config.topicShards), config.topicShards);
    const minted = await this.tokens.mintDeviceToken({
      accountId,
      publishTopic: topic,
      subscribeTopic: controlTopicName(config.controlTopicPrefix, accountId),
      ttlSeconds: 3600,
    });
    const credentialProvider = CredentialProvider.fromDisposableToken({
      authToken: minted.token,
      endpointOverrides: {
        controlEndpoint: this.endpoint,
        cacheEndpoint: this.endpoint,
        tokenEndpoint: this.endpoint,
        secureConnection: false,
      },
    });
    return {
      client: new TopicClient({ configuration: TopicConfigurations.Default.latest(), credentialProvider }),
      topic,
    };
  }
}
