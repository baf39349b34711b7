import { defaultRandom } from './Clock.js';

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
 * computeBackoffDelay(1, { recoveryTimeoutMs: 30_000, recovery: { jitterFactor: 0 } }); // 60_000
 * ```
 */
export function computeBackoffDelay(attempt: number, options: BackoffInput = {}, random: () => number = defaultRandom): number {
  const o = completeBackoffOptions(options);
  const k = Number.isFinite(attempt) && attempt > 0 ? Math.floor(attempt) : 0;
  let r = random();
  if (!(r >= 0)) r = 0; // NaN or negative
  if (r > 1) r = 1;
  const spread = 1 + o.jitterFactor * (2 * r - 1);
  // A zero factor gives 0, not 0 · ∞ = NaN once multiplier^k overflows.
  const raw = o.recoveryTimeoutMs === 0 || spread === 0 ? 0 : o.recoveryTimeoutMs * Math.pow(o.multiplier, k) * spread;
  const value = Number.isNaN(raw) ? o.maxDelayMs : raw;
  return Math.min(o.maxDelayMs, Math.max(o.baseDelayMs, value));
}

/**
 * What {@link computeBackoffDelay} accepts: the flat schedule, the breaker's own options shape
 * (`{ recoveryTimeoutMs, recovery: { baseDelayMs, … } }`), or any part of either; missing fields take the
 * product defaults (30 000, 1 000, 300 000, 2, 0.1).
 */
export type BackoffInput = Partial<BackoffOptions> & {
  readonly recovery?: Partial<Omit<BackoffOptions, 'recoveryTimeoutMs'>> | undefined;
};

const BACKOFF_DEFAULTS: BackoffOptions = Object.freeze({
  recoveryTimeoutMs: 30_000,
  baseDelayMs: 1_000,
  maxDelayMs: 300_000,
  multiplier: 2,
  jitterFactor: 0.1,
});

function completeBackoffOptions(options: BackoffInput): BackoffOptions {
  const nested: Partial<BackoffOptions> = options.recovery ?? {};
  const pick = (key: keyof BackoffOptions): number => {
    const flat = options[key];
    const value = flat ?? (key === 'recoveryTimeoutMs' ? undefined : nested[key]);
    return typeof value === 'number' && !Number.isNaN(value) ? value : BACKOFF_DEFAULTS[key];
  };
  return {
    recoveryTimeoutMs: pick('recoveryTimeoutMs'),
    baseDelayMs: pick('baseDelayMs'),
    maxDelayMs: pick('maxDelayMs'),
    multiplier: pick('multiplier'),
    jitterFactor: pick('jitterFactor'),
  };
}
