import { summarize, type Summary } from './summarize.js';

/**
 * One thing to measure: `batch(n)` performs `n` operations (sequentially or in concurrent batches) and
 * resolves when all have settled. `setup`/`teardown` run once, outside the timed region.
 */
export interface Candidate {
  readonly name: string;
  readonly batch: (n: number) => unknown;
  readonly teardown?: () => unknown;
}

/** How long to measure. */
export interface InterleaveOptions {
  /** Measured rounds; every candidate runs once per round. */
  readonly rounds: number;
  /** Discarded rounds first (JIT warm-up, batch-size calibration). */
  readonly warmupRounds: number;
  /** Target wall time of one candidate's batch, in ms; the batch size is calibrated to reach it. */
  readonly batchMs: number;
  /** Smallest batch size (and the granularity of calibrated sizes). Defaults to 1. */
  readonly minBatch?: number;
}

/** Per-candidate result: ns per operation, one value per measured round. */
export interface CandidateResult {
  readonly name: string;
  readonly perRoundNs: readonly number[];
  readonly nsPerOp: Summary;
  readonly batchSize: number;
}

/**
 * Runs candidates round-robin — every round runs each candidate once, starting from a different one each
 * round — so that a neighbour's CPU burst or a GC phase lands on all candidates alike instead of on
 * whichever ran during it. mitata and tinybench run one benchmark to completion before the next, which on
 * a shared 2-core machine turns noise into bias; this is the reason for a hand-written harness.
 *
 * @example
 * ```ts
 * const [bare] = await interleave([{ name: 'noop', batch: (n) => { for (let i = 0; i < n; i++); } }],
 *   { rounds: 5, warmupRounds: 1, batchMs: 5 });
 * bare.nsPerOp.median;
 * ```
 */
export async function interleave(candidates: readonly Candidate[], options: InterleaveOptions): Promise<CandidateResult[]> {
  const minBatch = options.minBatch ?? 1;
  const sizes = candidates.map(() => minBatch);
  const samples: number[][] = candidates.map(() => []);
  const total = options.warmupRounds + options.rounds;
  for (let round = 0; round < total; round++) {
    const measuring = round >= options.warmupRounds;
    for (let k = 0; k < candidates.length; k++) {
      const c = (k + round) % candidates.length;
      const candidate = candidates[c]!;
      let n = sizes[c]!;
      let elapsedMs = await time(candidate, n);
      if (!measuring) {
        // Calibrate: grow the batch until it takes about batchMs (at most ×8 per step; bounded loop). A
        // preempted batch only looks slower, so each warm-up round can only grow the size, never shrink it.
        for (let step = 0; step < 16 && elapsedMs < options.batchMs * 0.5; step++) {
          const factor = Math.min(8, Math.max(2, options.batchMs / Math.max(elapsedMs, 0.01)));
          n = roundUp(Math.ceil(n * factor), minBatch);
          elapsedMs = await time(candidate, n);
        }
        const estimate = roundUp(Math.ceil((n * options.batchMs) / Math.max(elapsedMs, 0.001)), minBatch);
        sizes[c] = Math.max(sizes[c]!, Math.min(estimate, n * 4));
      } else {
        samples[c]!.push((elapsedMs * 1e6) / n);
      }
    }
  }
  for (const candidate of candidates) await candidate.teardown?.();
  return candidates.map((candidate, c) => ({
    name: candidate.name,
    perRoundNs: samples[c]!,
    nsPerOp: summarize(samples[c]!),
    batchSize: sizes[c]!,
  }));
}

async function time(candidate: Candidate, n: number): Promise<number> {
  const start = performance.now();
  await candidate.batch(n);
  return performance.now() - start;
}

function roundUp(n: number, step: number): number {
  return Math.ceil(n / step) * step;
}

/**
 * Paired differences per round (candidate − baseline in the same round), summarized: the overhead of a
 * candidate over the baseline, with the round-to-round drift cancelled out.
 *
 * @example
 * ```ts
 * overheadOver(results.find((r) => r.name === 'execute')!, bare).median;
 * ```
 */
export function overheadOver(candidate: CandidateResult, baseline: CandidateResult): Summary {
  const n = Math.min(candidate.perRoundNs.length, baseline.perRoundNs.length);
  const diffs: number[] = [];
  for (let i = 0; i < n; i++) diffs.push(candidate.perRoundNs[i]! - baseline.perRoundNs[i]!);
  return summarize(diffs);
}
