import {
  createSdkTopicTransport,
  DeviceSession,
  type DeviceSessionState,
  type TopicTransport,
} from '../../client/node';
import type { DeviceRunner, DeviceState } from './simulated-devices';

export interface NodeDeviceRunnerOptions {
  /** Base URL of the local API (`POST /tokens` there, as a player's backend would call it). */
  readonly apiUrl: string;
  /** `host:port` of the emulator's gRPC endpoint, which the devices' tokens are used against. */
  readonly momentoLocalEndpoint: string;
}

/**
 * A transport that can be cut: once severed, publishes "succeed" without reaching Momento and
 * every subscription is closed. That is how a crash is simulated with the unchanged client: the
 * device goes silent (its final stop message never leaves), so only the lease can free its slot.
 */
class SeverableTransport implements TopicTransport {
  private severed = false;
  private readonly subscriptions = new Set<{ close(): void }>();

  constructor(private readonly inner: TopicTransport) {}

  sever(): void {
    this.severed = true;
    for (const subscription of this.subscriptions) subscription.close();
    this.subscriptions.clear();
  }

  publish(...args: Parameters<TopicTransport['publish']>): Promise<void> {
    return this.severed ? Promise.resolve() : this.inner.publish(...args);
  }

  subscribe(...args: Parameters<TopicTransport['subscribe']>): ReturnType<TopicTransport['subscribe']> {
    const subscription = this.inner.subscribe(...args);
    if (this.severed) {
      subscription.close();
      return subscription;
    }
    const tracked = {
      updateToken: (token: string) => subscription.updateToken(token),
      close: () => {
        this.subscriptions.delete(tracked);
        subscription.close();
      },
    };
    this.subscriptions.add(tracked);
    return tracked;
  }
}

/**
 * Runs each simulated device as a real `DeviceSession` of the Node client: tokens from the local
 * API over HTTP (trusted-caller mode, the account in the body) and heartbeats through
 * `@gomomento/sdk` to the emulator.
 */
export function createNodeDeviceRunner(options: NodeDeviceRunnerOptions): DeviceRunner {
  const tokensUrl = new URL('/tokens', options.apiUrl).toString();
  return ({ accountId, deviceId }, hooks) => {
    const transport = new SeverableTransport(createSdkTopicTransport({ endpoint: options.momentoLocalEndpoint }));
    const session = new DeviceSession({
      deviceId,
      pageLifecycle: false,
      transport,
      requestToken: (body) =>
        fetch(tokensUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ...body, accountId }),
        }),
    });
    session.on('state', ({ state }) => {
      const mapped = toDeviceState(state);
      if (mapped === 'refused' || mapped === 'evicted' || mapped === 'expired' || mapped === 'error') return; // reported below with a reason
      if (mapped) hooks.onState(mapped, undefined, session.sessionId);
    });
    session.on('active', (grant) =>
      hooks.onState('active', `admitted: ${grant.active}/${grant.limit} active`, grant.sessionId),
    );
    session.on('refused', (refusal) => hooks.onState('refused', refusal.message));
    session.on('evicted', (message) => hooks.onState('evicted', message.reason, message.sessionId));
    session.on('expired', ({ reason }) => hooks.onState('expired', reason));
    session.on('error', (error) => hooks.onState('error', error.message));
    session.on('heartbeat', ({ type }) => {
      if (type === 'heartbeat') hooks.onHeartbeat();
    });
    void session.start();
    return {
      stop: () => session.stop(),
      crash: async () => {
        transport.sever();
        // Ends the session's timers; its stop message goes nowhere.
        await session.stop();
      },
    };
  };
}

function toDeviceState(state: DeviceSessionState): DeviceState | undefined {
  return state === 'idle' ? undefined : state;
}
