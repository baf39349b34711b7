import type { Scenario } from './Scenario.js';

/**
 * The demo's embedded default: eleven simulated minutes of trading at 20 orders/s through normal
 * conditions, a latency storm (P99 ≈ 400 ms), a hang, a flaky recovery and normal conditions again.
 * `examples/scenarios/latency-storm.json` holds the same scenario (a test keeps them equal).
 *
 * @example
 * ```ts
 * const result = await runDemo({ scenario: DEFAULT_SCENARIO, seed: 7, speed: Infinity });
 * ```
 */
export const DEFAULT_SCENARIO: Scenario = {
  name: 'latency storm',
  description: 'Normal trading, a latency storm, a hang, a flaky recovery, then normal again.',
  orderRatePerSecond: 20,
  clientTimeoutMs: 5_000,
  phases: [
    { name: 'normal', durationMs: 120_000, latency: { medianMs: 35, p99Ms: 120 }, errorRate: 0.002 },
    { name: 'latency storm', durationMs: 60_000, latency: { medianMs: 260, p99Ms: 400 }, errorRate: 0.01 },
    { name: 'hang', durationMs: 60_000, hang: true },
    { name: 'flaky recovery', durationMs: 120_000, latency: { medianMs: 90, p99Ms: 320 }, errorRate: 0.25 },
    { name: 'normal again', durationMs: 300_000, latency: { medianMs: 35, p99Ms: 120 }, errorRate: 0.002 },
  ],
};
