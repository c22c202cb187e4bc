/** The three counting strategies, in the order the table shows them. */
export const STRATEGIES = ['leases', 'capped-list', 'interval-dictionary'] as const;
export type StrategyName = (typeof STRATEGIES)[number];

export const STRATEGY_TITLES: Record<StrategyName, string> = {
  leases: 'leases',
  'capped-list': 'capped list',
  'interval-dictionary': 'interval dictionaries',
};

/** One cell of a per-strategy row: the figure as printed, and whether it meets the row's target. */
export interface StrategyCell {
  readonly value: string;
  /** Only set where the row has a target for this strategy (the targets are the leases'). */
  readonly met?: boolean;
}

/** A measured figure per counting strategy (overshoot, release, false expiry, cost, accuracy). */
export interface StrategyRow {
  readonly measure: string;
  readonly cells: Partial<Record<StrategyName, StrategyCell>>;
  /** The target, in words; the issue sets targets for the leases only. */
  readonly target?: string;
  /** Why a target was missed, what the figure depends on. */
  readonly note?: string;
}

/** A measured figure of the system as a whole. */
export interface SystemRow {
  readonly measure: string;
  readonly value: string;
  readonly target?: string;
  readonly met?: boolean;
  readonly note?: string;
}

/** What one measurement adds to the report. */
export interface MeasurementResult {
  /** Section heading the rows go under. */
  readonly section: string;
  readonly strategyRows?: readonly StrategyRow[];
  readonly systemRows?: readonly SystemRow[];
  /** How the measurement was made (sizes, timings), one paragraph. */
  readonly method: string;
  /** Raw figures other parts of the report use (the capacity model), by name. */
  readonly figures?: Readonly<Record<string, number>>;
  /** Wall time the measurement took, ms. */
  readonly elapsedMs?: number;
}
