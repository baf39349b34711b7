/** The recovery schedule's options, all in milliseconds except the unitless factors. */
export interface BackoffOptions {
  /** Time open before the first recovery attempt (k = 0). */
  readonly recoveryTimeoutMs: number;
  /** The shortest any delay may be. */
  readonly baseDelayMs: number;
  /** The longest any delay may be. */
  readonly maxDelayMs: number;
  /** Growth per failed recovery attempt. */
  readonly multiplier: number;
  /** ± share of random spread. */
  readonly jitterFactor: number;
}

/**
 * How long the breaker stays open before recovery attempt `attempt` (0 at the first trip, +1 for each
 * failed attempt since the last close):
 * `clamp(recoveryTimeoutMs · multiplier^attempt · (1 + jitterFactor · u), baseDelayMs, maxDelayMs)` with
 * `u = 2·random() − 1`, uniform in [−1, 1].
 *
 * Total: a `random` that returns something outside [0, 1) or NaN is clamped into it, and a huge `attempt`
 * saturates at `maxDelayMs` instead of overflowing.
 *
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/ (why jitter)
 * @example
 * ```ts
 * const opts = { recoveryTimeoutMs: 30_000, baseDelayMs: 1_000, maxDelayMs: 300_000, multiplier: 2, jitterFactor: 0.1 };
 * computeBackoffDelay(0, opts, () => 0.5); // 30_000
 * computeBackoffDelay(3, opts, () => 0.5); // 240_000
 * computeBackoffDelay(9, opts, Math.random); // 300_000 (capped)
 * ```
 */
export function computeBackoffDelay(attempt: number, options: BackoffOptions, random: () => number): number {
  const k = Number.isFinite(attempt) && attempt > 0 ? Math.floor(attempt) : 0;
  let r = random();
  if (!(r >= 0)) r = 0; // NaN or negative
  if (r >= 1) r = 1 - Number.EPSILON;
  const u = 2 * r - 1;
  const raw = options.recoveryTimeoutMs * Math.pow(options.multiplier, k) * (1 + options.jitterFactor * u);
  const value = Number.isNaN(raw) ? options.maxDelayMs : raw;
  return Math.min(options.maxDelayMs, Math.max(options.baseDelayMs, value));
}
