import { decodeControlMessage, type ControlMessage, type TokenGrant } from './contracts';
import { DeviceSessionError } from './device-session-error';
import type { TopicSubscription, TopicTransport, TopicTransportError } from './topic-transport';

/** What a control listener needs from its session. */
export interface ControlListenerOptions {
  /** Aborted when the session ends: the subscription is closed and no callback runs after it. */
  readonly signal: AbortSignal;
  readonly transport: TopicTransport;
  /** The session this device holds (messages about the account's other sessions are not ours). */
  readonly sessionId: () => string | undefined;
  /** `limit-changed`, sent to every device of the account. */
  readonly onLimitChanged: (message: ControlMessage) => void;
  /** The backend ended this session: `evicted` or `expired`. */
  readonly onEnded: (message: ControlMessage) => void;
  /** The topic rejected the token: refresh it (`tokenRenewed()` resumes the subscription). */
  readonly onTokenRejected: () => void;
  /** A failure that retrying will not fix. */
  readonly onFailed: (error: DeviceSessionError) => void;
}

/**
 * The subscription to the account's control topic for one admitted session. Subscribes at
 * construction (throws as the transport's `subscribe` does) and closes when `signal` aborts.
 */
export class ControlListener {
  private subscription: TopicSubscription;

  constructor(
    grant: TokenGrant,
    private readonly options: ControlListenerOptions,
  ) {
    this.subscription = this.subscribe(grant);
    options.signal.addEventListener('abort', () => this.subscription.close(), { once: true });
  }

  /** Follows a refreshed token: the same topic continues with it, another cache or topic is subscribed anew. */
  tokenRenewed(previous: TokenGrant, grant: TokenGrant): void {
    if (this.options.signal.aborted) return;
    if (grant.cacheName !== previous.cacheName || grant.controlTopic !== previous.controlTopic) {
      this.subscription.close();
      this.subscription = this.subscribe(grant);
    } else {
      this.subscription.updateToken(grant.token);
    }
  }

  private subscribe(grant: TokenGrant): TopicSubscription {
    return this.options.transport.subscribe(
      { token: grant.token, cacheName: grant.cacheName, topic: grant.controlTopic },
      { onMessage: (text) => this.onMessage(text), onError: (error) => this.onError(error) },
    );
  }

  private onMessage(text: string): void {
    if (this.options.signal.aborted) return;
    const message = decodeControlMessage(text);
    if (!message) return; // not ours to judge: the control topic may carry newer message versions
    if (message.type === 'limit-changed') this.options.onLimitChanged(message);
    else if (message.sessionId === this.options.sessionId()) this.options.onEnded(message); // else another device's
  }

  private onError(error: TopicTransportError): void {
    if (this.options.signal.aborted) return;
    if (error.kind === 'unauthenticated') {
      this.options.onTokenRejected();
      return;
    }
    this.options.onFailed(
      new DeviceSessionError(
        'control-failed',
        `the control topic refused this device (${error.kind}): ${error.message}`,
        {
          retryable: false,
          cause: error,
        },
      ),
    );
  }
}
