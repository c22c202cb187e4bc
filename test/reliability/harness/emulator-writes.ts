import type { Emulator } from '../../../local/emulator';
import { CACHE_READ_METHODS } from '../../../local/emulator/server';

/** Calls that leave state as it was: reads and subscriptions. Everything else changes something. */
const READ_ONLY = new Set([...CACHE_READ_METHODS, 'Subscribe', 'ListCaches', 'Ping']);

/** How many state-changing calls (writes, publishes, token mints) the emulator has served so far. */
export function stateChangingCalls(emulator: Emulator): number {
  let total = 0;
  for (const [method, count] of Object.entries(emulator.stats().calls)) {
    if (!READ_ONLY.has(method) && !method.startsWith('GET ')) total += count;
  }
  return total;
}
