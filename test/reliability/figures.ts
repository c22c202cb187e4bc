import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scale } from './scale';

/** A measured figure as the summary prints it. */
export type Figure = number | string | boolean;

/** What one promise's test measured in this run. */
export interface PromiseFigures {
  /** Stable id, also the file name, e.g. `malformed-heartbeats`. */
  readonly id: string;
  /** The promise in one sentence, as docs/reliability.md states it. */
  readonly promise: string;
  /** The test file that checks it, relative to the repository root. */
  readonly test: string;
  readonly figures: Readonly<Record<string, Figure>>;
}

/**
 * Records a promise's figures for the run's summary. The runner (reliability/run.ts) points
 * `RELIABILITY_FIGURES_DIR` at a fresh folder and reads every file back once Jest is done, since
 * Jest runs each test file in its own module registry and cannot share memory between them.
 * Without the variable (a plain `npm test`), nothing is written.
 */
export function recordFigures(entry: PromiseFigures): void {
  const dir = process.env.RELIABILITY_FIGURES_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  const withScale = { ...entry, scale: scale.name, recordedAt: new Date().toISOString() };
  writeFileSync(join(dir, `${entry.id}.json`), `${JSON.stringify(withScale, null, 2)}\n`);
}
