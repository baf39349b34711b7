/** Median, minimum and maximum of a set of measurements (ns per call, or bytes). */
export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** How many measurements (rounds) the summary is over. */
  readonly n: number;
}

/**
 * Summarizes measurements by their median and range; the median is what the report compares, because a
 * shared machine adds one-sided noise (a neighbour's burst only ever makes a round slower).
 *
 * @example
 * ```ts
 * summarize([3, 1, 2]); // { median: 2, min: 1, max: 3, n: 3 }
 * ```
 */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, n: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, n: sorted.length };
}
