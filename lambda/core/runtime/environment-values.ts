import * as z from 'zod';

/** Whole-number bounds of one environment variable. */
export interface WholeNumberBounds {
  readonly min: number;
  readonly max?: number;
}

function boundsText({ min, max }: WholeNumberBounds): string {
  if (max !== undefined) return `from ${min} to ${max}`;
  return min === 0 ? 'of 0 or more' : `from ${min} up`;
}

/**
 * An environment variable holding a whole number within `bounds`; unset or blank gives
 * `fallback`. The error names the variable, its bounds and the value it got.
 */
export function wholeNumberVariable<F extends number | undefined>(
  name: string,
  fallback: F,
  bounds: WholeNumberBounds,
) {
  return z
    .string()
    .optional()
    .transform((value, ctx): number | F => {
      if (value === undefined || value.trim() === '') return fallback;
      const parsed = Number(value);
      if (!Number.isInteger(parsed) || parsed < bounds.min || (bounds.max !== undefined && parsed > bounds.max)) {
        ctx.addIssue({
          code: 'custom',
          message: `${name} must be a whole number ${boundsText(bounds)}, got "${value}"`,
        });
        return z.NEVER;
      }
      return parsed;
    });
}

/** An optional text variable, trimmed; unset or blank gives undefined. */
export const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));
