/** A cancel function for a scheduled callback. */
export type CancelTimer = () => void;

/**
 * `setTimeout` that never keeps a Node process alive (unref'd where the runtime supports it);
 * the session's subscriptions, not its timers, are what hold a device process open.
 */
export function detachedTimeout(delayMs: number, callback: () => void): CancelTimer {
  const handle: unknown = setTimeout(callback, Math.max(0, delayMs));
  const unref = (handle as { unref?: () => void } | null)?.unref;
  if (typeof unref === 'function') unref.call(handle);
  return () => clearTimeout(handle as Parameters<typeof clearTimeout>[0]);
}

/**
 * A `detachedTimeout` that belongs to `signal`: cleared when it aborts, so the callback never runs
 * after the abort. Nothing is scheduled on a signal that has already aborted.
 */
export function abortableTimeout(signal: AbortSignal, delayMs: number, callback: () => void): CancelTimer {
  if (signal.aborted) return () => undefined;
  const cancel = (): void => {
    clearTimer();
    signal.removeEventListener('abort', cancel);
  };
  const clearTimer = detachedTimeout(delayMs, () => {
    signal.removeEventListener('abort', cancel);
    callback();
  });
  signal.addEventListener('abort', cancel, { once: true });
  return cancel;
}
