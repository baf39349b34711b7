/** How much to measure: `full` for results.md, `quick` (< 1 min) while developing, `smoke` for the test. */
export type BenchMode = 'full' | 'quick' | 'smoke';

/** The knobs a mode sets. */
export interface BenchConfig {
  readonly mode: BenchMode;
  /** Per-call sections: measured rounds, warm-up rounds, target ms per candidate batch. */
  readonly callRounds: number;
  readonly callWarmupRounds: number;
  readonly callBatchMs: number;
  /** Window sections. */
  readonly windowRounds: number;
  readonly windowWarmupRounds: number;
  readonly windowBatchMs: number;
  readonly windowSizes: readonly number[];
  /** In-flight calls per `Promise.all` batch. */
  readonly concurrency: number;
  /** Instances created per kind to measure memory per instance. */
  readonly memoryInstances: number;
  /** Calls through one breaker while sampling the heap, and how many samples. */
  readonly heapCalls: number;
  readonly heapCheckpoints: number;
}

/**
 * The configuration of each mode.
 *
 * @example
 * ```ts
 * benchConfig('quick').heapCalls; // 1_000_000
 * ```
 */
export function benchConfig(mode: BenchMode): BenchConfig {
  switch (mode) {
    case 'full':
      return {
        mode, callRounds: 21, callWarmupRounds: 3, callBatchMs: 40,
        windowRounds: 11, windowWarmupRounds: 2, windowBatchMs: 25, windowSizes: [1_000, 10_000, 100_000],
        concurrency: 1_000, memoryInstances: 1_000, heapCalls: 10_000_000, heapCheckpoints: 10,
      };
    case 'quick':
      return {
        mode, callRounds: 7, callWarmupRounds: 2, callBatchMs: 12,
        windowRounds: 5, windowWarmupRounds: 1, windowBatchMs: 8, windowSizes: [1_000, 10_000, 100_000],
        concurrency: 1_000, memoryInstances: 200, heapCalls: 1_000_000, heapCheckpoints: 5,
      };
    case 'smoke':
      return {
        mode, callRounds: 2, callWarmupRounds: 1, callBatchMs: 0.2,
        windowRounds: 2, windowWarmupRounds: 1, windowBatchMs: 0.2, windowSizes: [1_000, 10_000],
        concurrency: 50, memoryInstances: 10, heapCalls: 2_000, heapCheckpoints: 2,
      };
  }
}
