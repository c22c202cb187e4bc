import type { ConcurrencyEngine, DeviceMessageOutcome } from '../../../../lambda/core/engine/engine-types';

/**
 * An engine whose device messages all wait until `release()`, then come out refreshed: workers
 * held for as long as the test wants (a Momento call that has not answered yet). Sweeps end nothing.
 */
export function gatedEngine(): { engine: ConcurrencyEngine; release: () => void } {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const engine = {
    handleDeviceMessage: async (): Promise<DeviceMessageOutcome> => {
      await gate;
      return 'refreshed';
    },
    sweep: async () => ({ ended: 0 }),
  } as unknown as ConcurrencyEngine;
  return { engine, release };
}
