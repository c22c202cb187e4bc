import type { EmulatorStats } from '../local/emulator';

/** Calls per method between two emulator snapshots. */
export function callsBetween(before: EmulatorStats, after: EmulatorStats): Record<string, number> {
  const calls: Record<string, number> = {};
  for (const [method, count] of Object.entries(after.calls)) {
    const delta = count - (before.calls[method] ?? 0);
    if (delta > 0) calls[method] = delta;
  }
  return calls;
}

export function totalCalls(calls: Readonly<Record<string, number>>): number {
  return Object.values(calls).reduce((sum, n) => sum + n, 0);
}

/** `GetBatch 1 · SetIf 2` per operation, methods by frequency. */
export function describeCallsPer(calls: Readonly<Record<string, number>>, operations: number): string {
  return Object.entries(calls)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([method, count]) => `${method} ${round(count / operations)}`)
    .join(' · ');
}

export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
