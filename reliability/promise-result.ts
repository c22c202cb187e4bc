import { z } from 'zod';

/** One figures file as test/reliability/figures.ts writes it. */
export const promiseFiguresSchema = z.object({
  id: z.string(),
  promise: z.string(),
  test: z.string(),
  scale: z.string(),
  recordedAt: z.string(),
  figures: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])),
});

/** A promise's figures with the Jest status of the file that checks it. */
export type PromiseResult = z.infer<typeof promiseFiguresSchema> & {
  readonly status: string;
  /** Full names of the file's failing checks (empty when it passed). */
  readonly failing: readonly string[];
};

/** What the run was: printed at the top of the summary and of docs/reliability.md. */
export interface RunInfo {
  readonly command: string;
  readonly scale: string;
  readonly date: string;
  readonly seconds: number;
  readonly node: string;
  readonly tests: { readonly passed: number; readonly failed: number };
  readonly exitCode: number;
}

/** A figure as people read it: thousands separated, at most three decimals. */
export function formatFigure(value: number | string | boolean): string {
  if (typeof value !== 'number') return String(value);
  return Number.isInteger(value)
    ? value.toLocaleString('en-US')
    : value.toLocaleString('en-US', { maximumFractionDigits: 3 });
}
