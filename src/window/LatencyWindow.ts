import { p99ExceedsThreshold, p99Rank } from './nearestRank.js';

/** The options form of the {@link LatencyWindow} constructor. */
export interface LatencyWindowOptions {
  readonly capacity?: number;
  readonly size?: number;
  readonly windowSize?: number;
  readonly thresholdMs?: number;
  readonly latencyThresholdMs?: number;
}

/**
 * A rolling count window over the last `capacity` completed calls: each sample is a latency and whether
 * the call failed. It answers the breaker's trip questions exactly in O(1) — how many samples exceed the
 * latency threshold, how many failed, how long the current failure streak is — and computes the exact
 * nearest-rank P99 value when asked (O(n log m), m = n − ⌈0.99·n⌉ + 1, about 11 at n = 1000).
 *
 * Memory is two typed arrays allocated once; recording a sample allocates nothing.
 *
 * @example
 * ```ts
 * const window = new LatencyWindow(1000, 200);
 * window.record(12, false);
 * window.record(450, true);
 * window.size;              // 2
 * window.countOverThreshold; // 1
 * window.p99Ms();           // 450
 * ```
 */
export class LatencyWindow {
  readonly #latencies: Float64Array;
  readonly #failed: Uint8Array;
  #next = 0;
  #size = 0;
  #overThreshold = 0;
  #failures = 0;
  #consecutiveFailures = 0;
  /** Samples ever recorded (never reset): the cursor of {@link LatencyWindow.latenciesSince}. */
  #recorded = 0;
  #heap: Float64Array = new Float64Array(16);

  /**
   * @param capacity - how many of the most recent samples the window holds (a positive integer), or an
   *   options object `{ capacity | size | windowSize, thresholdMs | latencyThresholdMs }`. Defaults to 1000.
   * @param thresholdMs - the latency above which a sample counts as slow (strictly greater). Defaults to 200.
   * @throws RangeError when `capacity` is not a positive integer or `thresholdMs` is NaN.
   */
  /** How many of the most recent samples the window holds. */
  readonly capacity: number;
  /** The latency above which a sample counts as slow (strictly greater). */
  readonly thresholdMs: number;

  constructor(capacity: number | LatencyWindowOptions = 1000, thresholdMs = 200) {
    if (typeof capacity === 'object' && capacity !== null) {
      thresholdMs = capacity.thresholdMs ?? capacity.latencyThresholdMs ?? thresholdMs;
      capacity = capacity.capacity ?? capacity.size ?? capacity.windowSize ?? 1000;
    }
    this.capacity = capacity;
    this.thresholdMs = thresholdMs;
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`LatencyWindow capacity must be a positive integer, got ${capacity}`);
    }
    if (Number.isNaN(thresholdMs)) throw new RangeError('LatencyWindow thresholdMs must not be NaN');
    this.#latencies = new Float64Array(capacity);
    this.#failed = new Uint8Array(capacity);
  }

  /** Adds one completed call, evicting the oldest when full. A NaN or negative latency is recorded as 0. */
  record(latencyMs: number, failed = false): void {
    const latency = latencyMs > 0 ? latencyMs : 0;
    const i = this.#next;
    if (this.#size === this.capacity) {
      if (this.#latencies[i]! > this.thresholdMs) this.#overThreshold--;
      if (this.#failed[i] === 1) this.#failures--;
    } else {
      this.#size++;
    }
    this.#latencies[i] = latency;
    if (latency > this.thresholdMs) this.#overThreshold++;
    if (failed) {
      this.#failed[i] = 1;
      this.#failures++;
      this.#consecutiveFailures++;
    } else {
      this.#failed[i] = 0;
      this.#consecutiveFailures = 0;
    }
    this.#next = i + 1 === this.capacity ? 0 : i + 1;
    this.#recorded++;
  }

  /** How many samples were ever recorded (not reset by {@link LatencyWindow.reset}). */
  get recorded(): number {
    return this.#recorded;
  }

  /**
   * The latencies recorded after cursor `since` (a former {@link LatencyWindow.recorded}) that the window
   * still holds, oldest first, for batching into long-horizon summaries off the call path. `skipped`
   * counts those already evicted or reset away, so nothing is lost silently.
   */
  latenciesSince(since: number): { latenciesMs: number[]; recorded: number; skipped: number } {
    const wanted = Math.max(0, this.#recorded - Math.max(0, Math.floor(since)));
    const available = Math.min(wanted, this.#size);
    const latenciesMs = new Array<number>(available);
    let idx = this.#next - available;
    if (idx < 0) idx += this.capacity;
    for (let j = 0; j < available; j++) {
      latenciesMs[j] = this.#latencies[idx]!;
      if (++idx === this.capacity) idx = 0;
    }
    return { latenciesMs, recorded: this.#recorded, skipped: wanted - available };
  }

  /** Samples currently held (at most `capacity`). */
  get size(): number {
    return this.#size;
  }

  /** Samples whose latency is strictly greater than `thresholdMs`. */
  get countOverThreshold(): number {
    return this.#overThreshold;
  }

  /** Failed samples in the window. */
  get failureCount(): number {
    return this.#failures;
  }

  /** Failures in a row among the most recent samples (not bounded by the window). */
  get consecutiveFailures(): number {
    return this.#consecutiveFailures;
  }

  /** Failures / samples, or 0 when empty. */
  errorRate(): number {
    return this.#size === 0 ? 0 : this.#failures / this.#size;
  }

  /**
   * The exact trip test: is the nearest-rank P99 strictly greater than `thresholdMs`? O(1) without
   * `inFlightSlow`.
   *
   * @param inFlightSlow - calls still outstanding after `thresholdMs`: they are counted as the newest
   *   samples, all slow, pushing the oldest ones out (O(k) to find those).
   */
  p99Exceeded(inFlightSlow = 0): boolean {
    if (inFlightSlow <= 0) return p99ExceedsThreshold(this.#overThreshold, this.#size);
    const k = Math.min(inFlightSlow, this.capacity);
    const evicted = Math.max(0, this.#size + k - this.capacity);
    const n = this.#size - evicted + k;
    return p99ExceedsThreshold(this.#overThreshold - this.#countOverAmongOldest(evicted) + k, n);
  }

  /** The exact nearest-rank P99 of the window in ms, or `null` when empty (same as `p99Ms()`). */
  p99(): number | null {
    return this.p99Ms();
  }

  /** Samples the P99 rule judges: the window plus overdue in-flight calls, capped at `capacity`. */
  effectiveSize(inFlightSlow = 0): number {
    return Math.min(this.capacity, this.#size + Math.max(0, inFlightSlow));
  }

  /**
   * The exact nearest-rank P99 (the ⌈0.99·n⌉-th smallest latency), or `null` when empty.
   *
   * @param inFlightAgesMs - ages of overdue in-flight calls, counted as the newest samples.
   */
  p99Ms(inFlightAgesMs: readonly number[] = []): number | null {
    const k = Math.min(inFlightAgesMs.length, this.capacity);
    const evicted = Math.max(0, this.#size + k - this.capacity);
    const n = this.#size - evicted + k;
    if (n === 0) return null;
    // The P99 is the m-th largest: keep the m largest in a min-heap while scanning once.
    const m = n - p99Rank(n) + 1;
    if (this.#heap.length < m) this.#heap = new Float64Array(Math.max(m, this.#heap.length * 2));
    const heap = this.#heap;
    // No per-call closure; once the heap is full, most samples are rejected by one compare.
    let heapSize = 0;
    const latencies = this.#latencies;
    const capacity = this.capacity;
    let idx = this.#oldestIndex() + evicted;
    if (idx >= capacity) idx -= capacity;
    for (let j = evicted; j < this.#size; j++) {
      const x = latencies[idx]!;
      if (++idx === capacity) idx = 0;
      if (heapSize < m) heapSize = heapPush(heap, heapSize, x);
      else if (x > heap[0]!) heapReplaceTop(heap, heapSize, x);
    }
    for (let j = inFlightAgesMs.length - k; j < inFlightAgesMs.length; j++) {
      const x = inFlightAgesMs[j]!;
      if (heapSize < m) heapSize = heapPush(heap, heapSize, x);
      else if (x > heap[0]!) heapReplaceTop(heap, heapSize, x);
    }
    return heap[0]!;
  }

  /** The samples, oldest first (for snapshots and tests). */
  samples(): Array<{ latencyMs: number; failed: boolean }> {
    const out: Array<{ latencyMs: number; failed: boolean }> = [];
    const start = this.#oldestIndex();
    for (let j = 0; j < this.#size; j++) {
      const idx = (start + j) % this.capacity;
      out.push({ latencyMs: this.#latencies[idx]!, failed: this.#failed[idx] === 1 });
    }
    return out;
  }

  /** Empties the window and the failure streak. */
  reset(): void {
    this.#next = 0;
    this.#size = 0;
    this.#overThreshold = 0;
    this.#failures = 0;
    this.#consecutiveFailures = 0;
  }

  /** Restores the failure streak alongside re-recorded samples (snapshots). */
  restoreStreak(consecutiveFailures: number): void {
    this.#consecutiveFailures = Math.max(0, Math.floor(consecutiveFailures));
  }

  #oldestIndex(): number {
    return this.#size === this.capacity ? this.#next : 0;
  }

  #countOverAmongOldest(count: number): number {
    let over = 0;
    const start = this.#oldestIndex();
    for (let j = 0; j < count; j++) {
      let idx = start + j;
      if (idx >= this.capacity) idx -= this.capacity;
      if (this.#latencies[idx]! > this.thresholdMs) over++;
    }
    return over;
  }
}

/** Min-heap insert; returns the new size. */
function heapPush(heap: Float64Array, size: number, x: number): number {
  let i = size;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    const p = heap[parent]!;
    if (p <= x) break;
    heap[i] = p;
    i = parent;
  }
  heap[i] = x;
  return size + 1;
}

/** Replaces the minimum of a full min-heap with a larger `x` and sifts it down. */
function heapReplaceTop(heap: Float64Array, size: number, x: number): void {
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= size) break;
    const r = l + 1;
    const c = r < size && heap[r]! < heap[l]! ? r : l;
    if (heap[c]! >= x) break;
    heap[i] = heap[c]!;
    i = c;
  }
  heap[i] = x;
}
