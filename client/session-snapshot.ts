import type { Refusal, TokenGrant } from './contracts';
import type { DeviceSessionError } from './device-session-error';
import type { DeviceSessionState, TrackedSession } from './device-session-events';

/**
 * What a player shows about a session, as one value that is replaced only when something in it
 * changes (so a UI framework can compare it by identity). Used by the React hook and the video.js
 * binding; framework-free.
 */
export interface SessionSnapshot {
  readonly state: DeviceSessionState;
  /** The grant, while `active`. */
  readonly grant: TokenGrant | undefined;
  /** The refusal, while `refused`: `sessions` lists the devices the viewer may stop. */
  readonly refusal: Refusal | undefined;
  /** The error, while `error`. */
  readonly error: DeviceSessionError | undefined;
  /**
   * Why the session is at rest, in the contract's words (docs/client.md says what to show for each):
   * the `evicted`, `expired` or `stopped` reason, `limit-reached` when refused, or the error's code.
   */
  readonly reason: string | undefined;
  /** Heartbeats are failing (between `reconnecting` and `reconnected`, while `active`). */
  readonly reconnecting: boolean;
}

/** A session's snapshot, kept current; `close()` removes its listeners. */
export interface SessionWatch {
  /** The current snapshot (the same object until something changes). */
  snapshot(): SessionSnapshot;
  close(): void;
}

/** Follows a session's events and calls `onChange` with each new snapshot. */
export function watchSession(
  session: TrackedSession,
  onChange: (snapshot: SessionSnapshot) => void = () => undefined,
): SessionWatch {
  let endReason: string | undefined;
  let reconnecting = false;
  let current = read();

  function read(): SessionSnapshot {
    const { state } = session;
    return {
      state,
      grant: state === 'active' ? session.grant : undefined,
      refusal: state === 'refused' ? session.refusal : undefined,
      error: state === 'error' ? session.error : undefined,
      reason: reasonOf(state),
      reconnecting: state === 'active' && reconnecting,
    };
  }

  function reasonOf(state: DeviceSessionState): string | undefined {
    switch (state) {
      case 'evicted':
      case 'expired':
        return endReason;
      case 'stopped':
        return session.stoppedReason;
      case 'refused':
        return 'limit-reached';
      case 'error':
        return session.error?.code;
      default:
        return undefined;
    }
  }

  function update(): void {
    const next = read();
    if (sameSnapshot(next, current)) return;
    current = next;
    onChange(current);
  }

  const unsubscribe = [
    session.on('state', ({ state }) => {
      if (state === 'starting' || state === 'active') endReason = undefined;
      if (state !== 'active') reconnecting = false;
      update();
    }),
    session.on('evicted', ({ reason }) => {
      endReason = reason;
      update();
    }),
    session.on('expired', ({ reason }) => {
      endReason = reason;
      update();
    }),
    session.on('reconnecting', () => {
      reconnecting = true;
      update();
    }),
    session.on('reconnected', () => {
      reconnecting = false;
      update();
    }),
    session.on('active', update),
    session.on('token-refreshed', update),
    session.on('stopped', update),
    session.on('refused', update),
    session.on('error', update),
  ];

  return {
    snapshot: () => current,
    close: () => unsubscribe.forEach((off) => off()),
  };
}

function sameSnapshot(a: SessionSnapshot, b: SessionSnapshot): boolean {
  return (
    a.state === b.state &&
    a.grant === b.grant &&
    a.refusal === b.refusal &&
    a.error === b.error &&
    a.reason === b.reason &&
    a.reconnecting === b.reconnecting
  );
}
