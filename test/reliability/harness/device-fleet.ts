import { TopicPublish, type TopicClient } from '@gomomento/sdk';
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { HandlerDependencies } from '../../../lambda/core/runtime/handler-dependencies';
import type { TokenGrantBody } from '../../../lambda/core/engine/token-vending';
import { handleTokenRequest } from '../../../lambda/token-vending/handle-token-request';
import type { Emulator } from '../../../local/emulator';
import { toApiGatewayEvent } from '../requests/api-request';
import { deviceTopicClient } from './device-clients';

/** One simulated device and what happened to its heartbeats. */
export interface FleetDevice {
  readonly accountId: string;
  readonly deviceId: string;
  readonly grant: TokenGrantBody;
  published: number;
  failedPublishes: number;
  lastSuccessAt: number;
  /** Longest time between two successful heartbeats (ms): under the lease, the device "kept heartbeating". */
  longestGapMs: number;
  /** When each heartbeat was accepted by Momento (epoch ms). */
  readonly successes: number[];
}

/**
 * Devices admitted through `POST /tokens` (the real handler, IAM mode) that publish heartbeats
 * with their own device tokens through the SDK, as a player does. One topic client per account:
 * an account's devices share one token, as token vending hands it out.
 */
export class DeviceFleet {
  readonly devices: FleetDevice[] = [];
  private readonly clients = new Map<string, TopicClient>();
  private timer: NodeJS.Timeout | undefined;
  private include: (device: FleetDevice) => boolean = () => true;
  private round: Promise<void> = Promise.resolve();

  /** Admits `count` devices spread over `accounts` accounts (none may be refused: limits must fit). */
  static async admit(
    emulator: Emulator,
    deps: HandlerDependencies,
    count: number,
    accounts: number,
    prefix = 'fleet',
  ): Promise<DeviceFleet> {
    const fleet = new DeviceFleet();
    const requests = Array.from({ length: count }, (_, i) => ({
      accountId: `${prefix}-acct-${i % accounts}`,
      deviceId: `${prefix}-device-${i}`,
    }));
    // Admitted 25 at a time: the burst case is the load test's; here every device must get in,
    // retrying a 503 as a player would (a loaded machine can miss the Momento time bound).
    const admitOne = async (r: (typeof requests)[number], i: number): Promise<APIGatewayProxyResult> => {
      for (let attempt = 0; ; attempt += 1) {
        const response = await handleTokenRequest(
          toApiGatewayEvent(
            {
              method: 'POST',
              resource: '/tokens',
              pathParameters: null,
              queryStringParameters: null,
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(r),
              caller: { kind: 'iam', userArn: 'arn:aws:sts::123456789012:assumed-role/backend/fleet' },
            },
            `${prefix}-admit-${i}-${attempt}`,
          ),
          deps,
        );
        if (response.statusCode !== 503 || attempt >= 4) return response;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    };
    const responses: APIGatewayProxyResult[] = [];
    const admittedAt: number[] = [];
    for (let start = 0; start < requests.length; start += 25) {
      responses.push(...(await Promise.all(requests.slice(start, start + 25).map((r, j) => admitOne(r, start + j)))));
      while (admittedAt.length < responses.length) admittedAt.push(Date.now());
    }
    responses.forEach((response, i) => {
      if (response.statusCode !== 201)
        throw new Error(`${requests[i].deviceId} not admitted: ${response.statusCode} ${response.body}`);
      const grant = JSON.parse(response.body) as TokenGrantBody;
      // The lease starts at admission: the first gap is measured from there.
      fleet.devices.push({
        ...requests[i],
        grant,
        published: 0,
        failedPublishes: 0,
        lastSuccessAt: admittedAt[i],
        longestGapMs: 0,
        successes: [],
      });
      if (!fleet.clients.has(requests[i].accountId))
        fleet.clients.set(requests[i].accountId, deviceTopicClient(emulator, grant.token));
    });
    return fleet;
  }

  /** Publishes one heartbeat per device (those `include` accepts, asked each round) every `intervalMs` until stopped. */
  start(intervalMs: number, include: (device: FleetDevice) => boolean = () => true): void {
    this.include = include;
    const tick = () => {
      this.round = this.round.then(() => this.heartbeatAll());
    };
    tick();
    this.timer = setInterval(tick, intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.round;
  }

  /** Sends a stop message for each of `devices` (the orderly end of a session). */
  async sendStop(devices: readonly FleetDevice[] = this.devices): Promise<void> {
    await Promise.all(devices.map((d) => this.publish(d, 'stop')));
  }

  private async heartbeatAll(): Promise<void> {
    await Promise.all(this.devices.filter((d) => this.include(d)).map((d) => this.publish(d, 'heartbeat')));
  }

  private async publish(device: FleetDevice, type: 'heartbeat' | 'stop'): Promise<void> {
    const client = this.clients.get(device.accountId);
    if (!client) return;
    const message = JSON.stringify({
      v: 1,
      type,
      sessionId: device.grant.sessionId,
      deviceId: device.deviceId,
      sessionKey: device.grant.sessionKey,
    });
    const response = await client.publish(device.grant.cacheName, device.grant.heartbeatTopic, message);
    const now = Date.now();
    if (response instanceof TopicPublish.Success) {
      device.published += 1;
      device.successes.push(now);
      device.longestGapMs = Math.max(device.longestGapMs, now - device.lastSuccessAt);
      device.lastSuccessAt = now;
    } else {
      device.failedPublishes += 1;
    }
  }

  /** Brings every device's longest gap up to date (a device silent since its last success). */
  settleGaps(): void {
    const now = Date.now();
    for (const d of this.devices) d.longestGapMs = Math.max(d.longestGapMs, now - d.lastSuccessAt);
  }
}
