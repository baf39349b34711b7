/**
 * The 1-based nearest rank of the P99 among `n` samples: ⌈0.99·n⌉, computed in integers so that no
 * floating-point rounding can move it (0.99·n is not exact in binary for most n).
 *
 * @see https://en.wikipedia.org/wiki/Percentile#The_nearest-rank_method
 * @example
 * ```ts
 * p99Rank(1000); // 990
 * p99Rank(100);  // 99
 * p99Rank(1);    // 1
 * ```
 */
export function p99Rank(n: number): number {
  return Math.floor((99 * n + 99) / 100);
}

/**
 * The exact trip test over a count window: nearest-rank P99 > T holds exactly when more than
 * `n − ⌈0.99·n⌉` of the `n` samples exceed T (the P99 is the ⌈0.99·n⌉-th smallest, so it exceeds T iff
 * fewer than ⌈0.99·n⌉ samples are ≤ T).
 *
 * @example
 * ```ts
 * p99ExceedsThreshold(11, 1000); // true: 11 > 1000 − 990
 * p99ExceedsThreshold(10, 1000); // false
 * ```
 */
export function p99ExceedsThreshold(countOverThreshold: number, n: number): boolean {
  return n > 0 && countOverThreshold > n - p99Rank(n);
}
