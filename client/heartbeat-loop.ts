import { backoffDelay, type BackoffPolicy } from './backoff';
import type { TokenGrant } from './contracts';
import { abortableTimeout, type CancelTimer } from './detached-timer';
import type { EmitSessionEvent } from './device-session-events';
import { DeviceSessionError } from './device-session-error';
import type { DeviceSessionLogger } from './session-logger';
import {
  asTopicTransportError,
  type TopicAddress,
  type TopicTransport,
  type TopicTransportError,
} from './topic-transport';

/** What a heartbeat loop needs from its session. */
export interface HeartbeatLoopOptions {
  /** Aborted when the session ends: no heartbeat is sent and no callback runs after it. */
  readonly signal: AbortSignal;
  readonly transport: TopicTransport;
  /** The session's current grant (a refresh replaces it). */
  readonly grant: () => TokenGrant;
  /** The heartbeat message's text for a grant. */
  readonly message: (grant: TokenGrant) => string;
  /** Backoff of heartbeat retries. */
  readonly retry: () => BackoffPolicy;
  readonly random?: () => number;
  readonly emit: EmitSessionEvent;
  readonly log: DeviceSessionLogger;
  /** The topic rejected the token once: refresh it; `tokenRenewed()` resumes the beats. */
  readonly onTokenRejected: () => void;
  /** Heartbeats got through again after two or more failures: check at once that the session lives. */
  readonly onRecovered: () => void;
  /** No heartbeat got through for longer than the lease: the backend has freed the slot. */
  readonly onConnectionLost: () => void;
  /** A failure that retrying will not fix. */
  readonly onFailed: (error: DeviceSessionError) => void;
}

/**
 * The heartbeats of one admitted session: one every heartbeat interval, retried with backoff while
 * they fail, and a lease watchdog that ends the session once none got through for longer than the
 * lease. Everything it schedules belongs to `signal`.
 */
export class HeartbeatLoop {
  private cancelBeat: CancelTimer | undefined;
  private cancelLease: CancelTimer | undefined;
  private inFlight = false;
  /** Failures in a row. */
  private failures = 0;
  /** Heartbeats that got through. */
  private delivered = 0;
  private lastBeatAt: number | undefined;
  /** When the current run of transient failures began (undefined: connected). */
  private downSince: number | undefined;
  private lastError: TopicTransportError | undefined;
  /** Set when a rejected token has been refreshed once, so a second rejection is final. */
  private refreshedAfterRejection = false;

  constructor(private readonly options: HeartbeatLoopOptions) {}

  /** Sends the first heartbeat now; `admittedAt` is when the admission was asked for (the lease began after it). */
  start(admittedAt: number): void {
    this.renewLease(admittedAt);
    void this.beat();
  }

  /** A token refresh asked at `requestedAt` renewed the lease, and beats paused by a rejected token resume. */
  tokenRenewed(requestedAt: number): void {
    this.renewLease(requestedAt);
    if (!this.cancelBeat && !this.inFlight) this.schedule(0);
  }

  private async beat(): Promise<void> {
    this.cancelBeat = undefined;
    const { signal, transport } = this.options;
    if (signal.aborted) return;
    const grant = this.options.grant();
    this.inFlight = true;
    const sentAt = Date.now();
    try {
      await transport.publish(heartbeatAddress(grant), this.options.message(grant));
    } catch (thrown) {
      this.inFlight = false;
      if (!signal.aborted) this.onFailure(asTopicTransportError(thrown));
      return;
    }
    this.inFlight = false;
    if (signal.aborted) return;
    const failedAttempts = this.failures;
    this.failures = 0;
    this.refreshedAfterRejection = false;
    this.delivered += 1;
    this.lastBeatAt = Date.now();
    this.renewLease(sentAt); // the backend renewed the lease after this heartbeat was sent
    this.options.emit('heartbeat', { type: 'heartbeat', at: this.lastBeatAt });
    this.schedule(this.options.grant().heartbeatIntervalSeconds * 1000);
    if (this.downSince !== undefined && !signal.aborted) {
      const downMs = this.lastBeatAt - this.downSince;
      this.downSince = undefined;
      this.options.emit('reconnected', { downMs, failedAttempts });
      // The lease may have run out while heartbeats were away, and the control poll may be far into
      // its own backoff: ask now (a refresh with sessionId and sessionKey) whether the session lives.
      if (failedAttempts >= 2 && !signal.aborted) this.options.onRecovered();
    }
  }

  private onFailure(error: TopicTransportError): void {
    const { signal, emit } = this.options;
    this.failures += 1;
    this.lastError = error;
    if (error.kind === 'transient') {
      const retryInMs = backoffDelay(this.options.retry(), this.failures, this.options.random);
      if (this.downSince === undefined) {
        this.downSince = Date.now();
        emit('reconnecting', { error, ...(this.lastBeatAt !== undefined && { lastHeartbeatAt: this.lastBeatAt }) });
        if (signal.aborted) return;
      }
      emit('heartbeat-failed', { error, attempt: this.failures, retryInMs });
      this.schedule(retryInMs);
      return;
    }
    if (error.kind === 'unauthenticated' && !this.refreshedAfterRejection) {
      // The token was rejected (expired or revoked): heartbeats resume once a refresh answers.
      this.refreshedAfterRejection = true;
      emit('heartbeat-failed', { error, attempt: this.failures, retryInMs: 0 });
      if (!signal.aborted) this.options.onTokenRejected();
      return;
    }
    const code = error.code === 'invalid-url' ? 'invalid-url' : 'heartbeat-failed';
    this.options.onFailed(
      new DeviceSessionError(code, `the heartbeat topic refused this device (${error.kind}): ${error.message}`, {
        retryable: false,
        cause: error,
      }),
    );
  }

  private schedule(delayMs: number): void {
    this.cancelBeat?.();
    this.cancelBeat = abortableTimeout(this.options.signal, delayMs, () => void this.beat());
  }

  /**
   * Ends the session once no heartbeat has got through for longer than the lease since `base` (the
   * send time of the last heartbeat that got through, or of the admission or refresh): by then the
   * backend has freed the slot and may have given it to another device.
   */
  private renewLease(base: number): void {
    const { leaseSeconds, degraded } = this.options.grant();
    if (leaseSeconds === undefined || degraded) return; // an older backend: the control topic tells
    this.cancelLease?.();
    const delayMs = base + leaseSeconds * 1000 - Date.now();
    this.cancelLease = abortableTimeout(this.options.signal, delayMs, () => this.onLeaseLost(leaseSeconds));
  }

  private onLeaseLost(leaseSeconds: number): void {
    this.cancelLease = undefined;
    if (this.delivered === 0) {
      // Not one heartbeat got through while the token route did: the topics API's host is blocked
      // (CSP, ad blocker, DNS) or misconfigured. Retrying would fail the same way.
      const detail = this.lastError ? `: ${this.lastError.message}` : '';
      this.options.onFailed(
        new DeviceSessionError(
          'heartbeat-unreachable',
          `no heartbeat reached the topics API within the lease (${leaseSeconds} s)${detail}`,
          {
            retryable: false,
            cause: this.lastError,
          },
        ),
      );
      return;
    }
    this.options.log.warn('no heartbeat got through for longer than the lease', {
      leaseSeconds,
      lastHeartbeatAt: this.lastBeatAt,
    });
    this.options.onConnectionLost();
  }
}

/** Where a grant's heartbeats (and its stop) go. */
export function heartbeatAddress(grant: TokenGrant): TopicAddress {
  return { token: grant.token, cacheName: grant.cacheName, topic: grant.heartbeatTopic };
}
