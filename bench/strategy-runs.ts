import type { BenchScale } from './bench-scale';
import { STRATEGIES, type StrategyName } from './bench-results';

/**
 * Runs a measurement for every strategy: one after another in the full run (so they never share
 * the machine), side by side in the quick run (a smoke run that must finish within a minute).
 */
export async function forEachStrategy<T>(
  scale: BenchScale,
  measure: (strategy: StrategyName) => Promise<T>,
): Promise<Record<StrategyName, T>> {
  const results: Partial<Record<StrategyName, T>> = {};
  if (scale.strategiesSideBySide) {
    const values = await Promise.all(STRATEGIES.map((strategy) => measure(strategy)));
    STRATEGIES.forEach((strategy, i) => (results[strategy] = values[i]));
  } else {
    for (const strategy of STRATEGIES) results[strategy] = await measure(strategy);
  }
  return results as Record<StrategyName, T>;
}
