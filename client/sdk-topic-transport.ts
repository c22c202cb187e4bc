import {
  CredentialProvider,
  MomentoErrorCode,
  TopicClient,
  TopicConfigurations,
  TopicPublish,
  TopicSubscribe,
} from '@gomomento/sdk';
import { backoffDelay, type BackoffPolicy } from './backoff';
import { detachedTimeout, type CancelTimer } from './detached-timer';
import {
  TopicTransportError,
  type TopicFailureKind,
  type TopicSubscription,
  type TopicSubscriptionHandlers,
  type TopicTransport,
} from './topic-transport';
import { errorMessage } from './error-message';

/** Options of the `@gomomento/sdk` transport. */
export interface SdkTopicTransportOptions {
  /**
   * `host:port` of a Momento-compatible endpoint to use instead of the one in the token, such as the
   * local emulator's `address`. @default - the endpoint named in the token
   */
  readonly endpoint?: string;
  /** Whether `endpoint` speaks TLS. @default false (the local emulator is plain text) */
  readonly secureEndpoint?: boolean;
}

/**
 * Momento topics through `@gomomento/sdk` (gRPC), for devices and simulators running in Node.
 * One `TopicClient` per token: a refreshed token gets a new client and a new control subscription.
 */
export function createSdkTopicTransport(options: SdkTopicTransportOptions = {}): TopicTransport {
  let current: { token: string; client: TopicClient } | undefined;

  const clientFor = (token: string): TopicClient => {
    if (current?.token !== token) current = { token, client: newTopicClient(token, options) };
    return current.client;
  };

  return {
    async publish(address, message) {
      let response: TopicPublish.Response;
      try {
        response = await clientFor(address.token).publish(address.cacheName, address.topic, message);
      } catch (error) {
        throw new TopicTransportError('transient', `publish failed: ${errorMessage(error)}`, { cause: error });
      }
      if (response instanceof TopicPublish.Error) {
        throw new TopicTransportError(failureKindOfCode(response.errorCode()), response.message(), {
          code: response.errorCode(),
        });
      }
    },

    subscribe(address, handlers) {
      return new SdkSubscription(address.cacheName, address.topic, address.token, handlers, clientFor);
    },
  };
}

/** Backoff between attempts to (re)open a subscription the SDK gave up on for a transient reason. */
const REOPEN_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 30_000 };

/**
 * A control subscription that moves to a new `TopicClient` when the token is refreshed. The SDK
 * resumes dropped streams by itself; what it gives up on (a first connection that fails or times
 * out) is reopened here with backoff when transient, and reported otherwise.
 */
class SdkSubscription implements TopicSubscription {
  private closed = false;
  private token: string;
  private active: TopicSubscribe.Subscription | undefined;
  private failures = 0;
  private cancelReopen: CancelTimer | undefined;
  /** Messages both the old and the new stream may deliver while a refreshed token takes over. */
  private readonly recent: string[] = [];

  constructor(
    private readonly cacheName: string,
    private readonly topic: string,
    token: string,
    private readonly handlers: TopicSubscriptionHandlers,
    private readonly clientFor: (token: string) => TopicClient,
  ) {
    this.token = token;
    this.open(token);
  }

  updateToken(token: string): void {
    if (this.closed || (token === this.token && this.active)) return;
    this.token = token;
    this.open(token);
  }

  close(): void {
    this.closed = true;
    this.cancelReopen?.();
    this.active?.unsubscribe();
    this.active = undefined;
  }

  private open(token: string): void {
    this.cancelReopen?.();
    this.cancelReopen = undefined;
    const client = this.clientFor(token);
    // subscribe() resolves on the stream's first message; the old stream stays until then.
    void client
      .subscribe(this.cacheName, this.topic, {
        onItem: (item) => this.deliver(item.sequenceNumber(), item.valueString()),
        onError: (error) => {
          if (this.closed || token !== this.token) return;
          this.active = undefined;
          this.onFailure(
            new TopicTransportError(failureKindOfCode(error.errorCode()), error.message(), { code: error.errorCode() }),
            token,
          );
        },
      })
      .then((response) => {
        if (response instanceof TopicSubscribe.Subscription) {
          if (this.closed || token !== this.token) {
            response.unsubscribe();
            return;
          }
          this.failures = 0;
          this.active?.unsubscribe();
          this.active = response;
        } else if (response instanceof TopicSubscribe.Error && !this.closed && token === this.token) {
          this.onFailure(
            new TopicTransportError(failureKindOfCode(response.errorCode()), response.message(), {
              code: response.errorCode(),
            }),
            token,
          );
        }
      });
  }

  private onFailure(error: TopicTransportError, token: string): void {
    if (error.kind !== 'transient') {
      this.handlers.onError(error);
      return;
    }
    this.failures += 1;
    this.cancelReopen?.();
    this.cancelReopen = detachedTimeout(backoffDelay(REOPEN_BACKOFF, this.failures), () => {
      if (!this.closed && token === this.token) this.open(token);
    });
  }

  private deliver(sequenceNumber: number, text: string): void {
    if (this.closed) return;
    const key = `${sequenceNumber}:${text}`;
    if (this.recent.includes(key)) return;
    this.recent.push(key);
    if (this.recent.length > 32) this.recent.shift();
    this.handlers.onMessage(text);
  }
}

function newTopicClient(token: string, options: SdkTopicTransportOptions): TopicClient {
  const credentialProvider = options.endpoint
    ? CredentialProvider.fromDisposableToken({
        authToken: token,
        endpointOverrides: {
          controlEndpoint: options.endpoint,
          cacheEndpoint: options.endpoint,
          tokenEndpoint: options.endpoint,
          secureConnection: options.secureEndpoint ?? false,
        },
      })
    : CredentialProvider.fromDisposableToken({ authToken: token });
  return new TopicClient({ configuration: TopicConfigurations.Default.latest(), credentialProvider });
}

function failureKindOfCode(code: MomentoErrorCode): TopicFailureKind {
  switch (code) {
    case MomentoErrorCode.AUTHENTICATION_ERROR:
      return 'unauthenticated';
    case MomentoErrorCode.PERMISSION_ERROR:
      return 'forbidden';
    case MomentoErrorCode.INVALID_ARGUMENT_ERROR:
    case MomentoErrorCode.NOT_FOUND_ERROR:
    case MomentoErrorCode.BAD_REQUEST_ERROR:
    case MomentoErrorCode.FAILED_PRECONDITION_ERROR:
      return 'invalid';
    default:
      return 'transient';
  }
}
