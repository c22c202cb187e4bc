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
