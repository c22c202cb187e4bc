import { MomentoCallError } from '../ports/momento-ports';

/**
 * Resolves with `work`, or rejects with an `unavailable` {@link MomentoCallError} once `ms` pass:
 * the bound that makes the failure mode answer in time even when Momento hangs or is unreachable.
 * The work itself carries on in the background; everything it writes expires by itself.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new MomentoCallError('unavailable', `${what} took longer than ${ms} ms`, 'DEADLINE')),
      ms,
    );
    timer.unref?.();
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}
