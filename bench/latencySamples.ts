/**
 * A fixed, reproducible stream of latencies in ms (mulberry32, seed 1): 98.5 % between 1 and 50 ms,
 * 1.5 % between 200 and 1 000 ms — a venue with a slow tail just above a 1 % P99 budget. Length 65 536,
 * indexed with `& LATENCY_MASK`.
 *
 * @example
 * ```ts
 * const samples = latencySamples();
 * window.record(samples[i & LATENCY_MASK]!, false);
 * ```
 */
export function latencySamples(): Float64Array {
  let state = 1;
  const random = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = new Float64Array(LATENCY_MASK + 1);
  for (let i = 0; i < out.length; i++) out[i] = random() < 0.985 ? 1 + random() * 49 : 200 + random() * 800;
  return out;
}

/** Mask for indexing {@link latencySamples}. */
export const LATENCY_MASK = 65_535;
