import { errorMessage } from './error-message';
/**
 * How a device session reaches Momento topics. Two implementations ship: the HTTP topics API
 * (browser-safe, `http-topic-transport.ts`) and `@gomomento/sdk` (Node, `sdk-topic-transport.ts`).
 */

/** Where a message goes, and the disposable token that may send it. */
export interface TopicAddress {
  readonly token: string;
  readonly cacheName: string;
  readonly topic: string;
}

/** Callbacks of a topic subscription. */
export interface TopicSubscriptionHandlers {
  /** A message's text, in topic order. */
  onMessage(text: string): void;
  /**
   * A failure the transport will not retry by itself (anything but `transient`). The subscription
   * stays parked until `updateToken` or `close`.
   */
  onError(error: TopicTransportError): void;
}

/** A live subscription. */
export interface TopicSubscription {
  /** Continues the subscription with a refreshed token, without losing its place in the topic. */
  updateToken(token: string): void;
  /** Ends the subscription; no callback runs after this returns. */
  close(): void;
}

/** The transport a `DeviceSession` publishes and subscribes through. */
export interface TopicTransport {
  /** Publishes one text message; rejects with a `TopicTransportError`. */
  publish(address: TopicAddress, message: string): Promise<void>;
  /** Subscribes to a topic from now on; retries transient failures by itself. */
  subscribe(address: TopicAddress, handlers: TopicSubscriptionHandlers): TopicSubscription;
  /**
   * Sends one message while the page is being unloaded, without waiting for an answer
   * (the browser's `fetch(..., { keepalive: true })`). Transports without it get a plain `publish`.
   */
  publishOnExit?(address: TopicAddress, message: string): void;
}

/**
 * How a transport failure should be handled:
 * - `transient`: network, timeout, throttling or a server error; retry with backoff.
 * - `unauthenticated`: the token is invalid or expired; refresh it.
 * - `forbidden`: the token does not allow this topic; a configuration error.
 * - `invalid`: the request is wrong (bad name, missing cache); a configuration error.
 */
export type TopicFailureKind = 'transient' | 'unauthenticated' | 'forbidden' | 'invalid';

/** A failed publish or subscription, classified so the session knows whether to retry. */
export class TopicTransportError extends Error {
  /** How to handle it. */
  readonly kind: TopicFailureKind;
  /** HTTP status or Momento error code, when there was one. */
  readonly code?: string | number;

  constructor(kind: TopicFailureKind, message: string, options?: { code?: string | number; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TopicTransportError';
    this.kind = kind;
    this.code = options?.code;
  }
}

/** Any thrown value as a `TopicTransportError`; unknown failures count as transient. */
export function asTopicTransportError(error: unknown): TopicTransportError {
  if (error instanceof TopicTransportError) return error;
  const message = errorMessage(error);
  return new TopicTransportError('transient', message, { cause: error });
}
