import { useEffect, useMemo, useSyncExternalStore } from 'react';
import type { StartResult, TrackedSession } from './device-session-events';
import { watchSession, type SessionSnapshot, type SessionWatch } from './session-snapshot';

/** Options of `useTrackedSession`. */
export interface UseTrackedSessionOptions {
  /** Call `start()` when the component mounts (and when it is given another session). @default false */
  readonly autoStart?: boolean;
  /**
   * Call `stop()` when the component unmounts (or is given another session), so a closed player
   * frees its slot at once. The stop waits for the next task, so React's StrictMode (which unmounts
   * and mounts again at once in development) does not end the session. @default true
   */
  readonly stopOnUnmount?: boolean;
}

/** What `useTrackedSession` returns: the session's snapshot, and its `start` and `stop`. */
export interface TrackedSessionView extends SessionSnapshot {
  start(): Promise<StartResult>;
  stop(): Promise<void>;
}

/**
 * A `DeviceSession` (or `FakeDeviceSession`) as React state: the component re-renders when the
 * session's state, grant, refusal, error, end reason or connection health changes. Create the
 * session once per player (for example with `useState(() => new DeviceSession(...))`) and pass it in.
 */
export function useTrackedSession(session: TrackedSession, options: UseTrackedSessionOptions = {}): TrackedSessionView {
  const { autoStart = false, stopOnUnmount = true } = options;
  const watch = watchOf(session);
  const snapshot = useSyncExternalStore(watch.subscribe, watch.snapshot, watch.snapshot);

  useEffect(() => {
    const kept = cancelPendingStop(session); // StrictMode's unmount and mount again: the session goes on
    if (autoStart && !kept && session.state !== 'active' && session.state !== 'starting') void session.start();
    return () => {
      if (stopOnUnmount) stopSoon(session);
    };
  }, [session, autoStart, stopOnUnmount]);

  return useMemo(
    () => ({ ...snapshot, start: () => session.start(), stop: () => session.stop() }),
    [snapshot, session],
  );
}

interface SharedWatch {
  readonly subscribe: (onChange: () => void) => () => void;
  readonly snapshot: () => SessionSnapshot;
}

/**
 * One watch per session, for as long as the session lives (it is only listeners on the session),
 * so an end reason seen while no component was subscribed is not lost.
 */
const watches = new WeakMap<TrackedSession, SharedWatch>();

function watchOf(session: TrackedSession): SharedWatch {
  let shared = watches.get(session);
  if (!shared) {
    const listeners = new Set<() => void>();
    const watch: SessionWatch = watchSession(session, () => listeners.forEach((listener) => listener()));
    shared = {
      subscribe: (onChange) => {
        listeners.add(onChange);
        return () => listeners.delete(onChange);
      },
      snapshot: () => watch.snapshot(),
    };
    watches.set(session, shared);
  }
  return shared;
}

const pendingStops = new WeakMap<TrackedSession, ReturnType<typeof setTimeout>>();

function stopSoon(session: TrackedSession): void {
  cancelPendingStop(session);
  pendingStops.set(
    session,
    setTimeout(() => {
      pendingStops.delete(session);
      void session.stop();
    }, 0),
  );
}

/** Cancels a stop planned by an unmount; true if there was one. */
function cancelPendingStop(session: TrackedSession): boolean {
  const pending = pendingStops.get(session);
  if (pending === undefined) return false;
  clearTimeout(pending);
  pendingStops.delete(session);
  return true;
}
