import type { Emulator } from '../../../local/emulator';

/** Calls that leave state as it was: reads and subscriptions. Everything else changes something. */
const READ_ONLY = new Set([
  'Get', 'GetWithHash', 'GetBatch', 'KeysExist', 'ItemGetTtl', 'ItemGetType',
  'DictionaryGet', 'DictionaryFetch', 'DictionaryLength',
  'SetFetch', 'SetSample', 'SetContains', 'SetLength',
  'ListFetch', 'ListLength',
  'SortedSetFetch', 'SortedSetGetScore', 'SortedSetGetRank', 'SortedSetLength', 'SortedSetLengthByScore',
  'Subscribe', 'ListCaches', 'Ping',
]);

/** How many state-changing calls (writes, publishes, token mints) the emulator has served so far. */
export function stateChangingCalls(emulator: Emulator): number {
  let total = 0;
  for (const [method, count] of Object.entries(emulator.stats().calls)) {
    if (!READ_ONLY.has(method) && !method.startsWith('GET ')) total += count;
  }
  return total;
}
