import * as hdr from 'hdr-histogram-js';
import tdigest from 'tdigest';
import { LatencyWindow } from '../src/window/LatencyWindow.js';
import { p99Rank } from '../src/window/nearestRank.js';
import type { Candidate } from './interleave.js';
import { LATENCY_MASK, latencySamples } from './latencySamples.js';

/** Window sizes the issue asks for. */
export const WINDOW_SIZES = [1_000, 10_000, 100_000] as const;

/** Names of the window rows; `size` is appended for the size-dependent ones. */
export const WINDOW = {
  oursUpdate: 'LatencyWindow.record',
  sortedUpdate: 'sorted-array window insert+evict (naive exact)',
  tdigestUpdate: 'tdigest push (reference, not windowed)',
  hdrUpdate: 'hdr-histogram-js recordValue (reference, not windowed)',
  oursRead: 'LatencyWindow.p99Ms (exact)',
  oursTrip: 'LatencyWindow.p99Exceeded (exact trip test)',
  naiveRead: 'naive copy + re-sort (exact)',
  tdigestRead: 'tdigest percentile(0.99) (approximate)',
  hdrRead: 'hdr getValueAtPercentile(99) (approximate)',
} as const;

/** A candidate's row key: its name and window size. */
export function windowRow(name: string, size: number | null): string {
  return size === null ? name : `${name} @ ${size.toLocaleString('en-US')}`;
}

let sink = 0;
/** Keeps results observable so the loops cannot be optimized away. */
export function windowSink(): number {
  return sink;
}

/**
 * The window-alone candidates (issue 6, item 4): update cost per sample and P99 read cost, at each
 * window size, for our window, a naive exact alternative, and two approximate sketches for reference.
 * Every window starts full, so updates evict; reads run over a full window.
 *
 * @example
 * ```ts
 * const { updates, reads } = windowCandidates([1000]);
 * ```
 */
export function windowCandidates(sizes: readonly number[] = WINDOW_SIZES): { updates: Candidate[]; reads: Candidate[] } {
  const samples = latencySamples();
  const updates: Candidate[] = [];
  const reads: Candidate[] = [];
  for (const size of sizes) {
    const ours = new LatencyWindow(size, 200);
    const sorted = new SortedWindow(size);
    for (let i = 0; i < size; i++) {
      ours.record(samples[i & LATENCY_MASK]!, false);
      sorted.record(samples[i & LATENCY_MASK]!);
    }
    let j = size;
    updates.push({
      name: windowRow(WINDOW.oursUpdate, size),
      batch: (n) => {
        for (let i = 0; i < n; i++) ours.record(samples[j++ & LATENCY_MASK]!, false);
      },
    });
    let k = size;
    updates.push({
      name: windowRow(WINDOW.sortedUpdate, size),
      batch: (n) => {
        for (let i = 0; i < n; i++) sorted.record(samples[k++ & LATENCY_MASK]!);
      },
    });
    const readWindow = new LatencyWindow(size, 200);
    for (let i = 0; i < size; i++) readWindow.record(samples[i & LATENCY_MASK]!, false);
    const ring = new Float64Array(size);
    for (let i = 0; i < size; i++) ring[i] = samples[i & LATENCY_MASK]!;
    reads.push(
      {
        name: windowRow(WINDOW.oursRead, size),
        batch: (n) => {
          for (let i = 0; i < n; i++) sink += readWindow.p99Ms()!;
        },
      },
      {
        name: windowRow(WINDOW.oursTrip, size),
        batch: (n) => {
          for (let i = 0; i < n; i++) sink += readWindow.p99Exceeded() ? 1 : 0;
        },
      },
      {
        name: windowRow(WINDOW.naiveRead, size),
        batch: (n) => {
          for (let i = 0; i < n; i++) {
            const copy = ring.slice().sort();
            sink += copy[p99Rank(size) - 1]!;
          }
        },
      },
    );
  }
  // The sketches do not depend on a window size: one row each, fed the same stream.
  const digest = new tdigest.TDigest();
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  for (let i = 0; i < 10_000; i++) {
    digest.push(samples[i & LATENCY_MASK]!);
    histogram.recordValue(Math.round(samples[i & LATENCY_MASK]! * 1000));
  }
  let d = 0;
  let h = 0;
  updates.push(
    {
      name: WINDOW.tdigestUpdate,
      batch: (n) => {
        for (let i = 0; i < n; i++) digest.push(samples[d++ & LATENCY_MASK]!);
      },
    },
    {
      name: WINDOW.hdrUpdate,
      // hdr records integers: latencies in µs.
      batch: (n) => {
        for (let i = 0; i < n; i++) histogram.recordValue(Math.round(samples[h++ & LATENCY_MASK]! * 1000));
      },
    },
  );
  reads.push(
    {
      name: WINDOW.tdigestRead,
      batch: (n) => {
        for (let i = 0; i < n; i++) sink += digest.percentile(0.99) as number;
      },
    },
    {
      name: WINDOW.hdrRead,
      batch: (n) => {
        for (let i = 0; i < n; i++) sink += histogram.getValueAtPercentile(99);
      },
      teardown: () => histogram.destroy(),
    },
  );
  return { updates, reads };
}

/**
 * The naive exact alternative to a count window: keep the window's samples sorted (binary search, then
 * shift) so the P99 is an index; every update pays O(n) moves.
 */
class SortedWindow {
  readonly #ring: Float64Array;
  readonly #sorted: Float64Array;
  #next = 0;
  #size = 0;

  constructor(readonly capacity: number) {
    this.#ring = new Float64Array(capacity);
    this.#sorted = new Float64Array(capacity);
  }

  record(x: number): void {
    const sorted = this.#sorted;
    if (this.#size === this.capacity) {
      const old = this.#ring[this.#next]!;
      const at = lowerBound(sorted, this.#size, old);
      sorted.copyWithin(at, at + 1, this.#size);
      this.#size--;
    }
    const at = lowerBound(sorted, this.#size, x);
    sorted.copyWithin(at + 1, at, this.#size);
    sorted[at] = x;
    this.#size++;
    this.#ring[this.#next] = x;
    this.#next = this.#next + 1 === this.capacity ? 0 : this.#next + 1;
  }

  p99(): number {
    return this.#sorted[p99Rank(this.#size) - 1]!;
  }
}

function lowerBound(a: Float64Array, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
