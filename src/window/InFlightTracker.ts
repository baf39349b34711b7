/**
 * Tracks calls that have been sent and not yet settled, in admission order, so the breaker can count the
 * ones outstanding longer than the latency threshold — a hung node completes nothing, and a
 * completion-only window would never trip. No timer per call: `countOverdue(now)` advances one cursor
 * over start times, amortised O(1), and is asked on each admission.
 *
 * Storage is a growable ring of start times; starting and settling a call allocate nothing.
 *
 * @example
 * ```ts
 * const inFlight = new InFlightTracker(200);
 * const id = inFlight.start(0);
 * inFlight.countOverdue(250); // 1
 * inFlight.settle(id);
 * inFlight.countOverdue(300); // 0
 * ```
 */
export class InFlightTracker {
  #starts = new Float64Array(64);
  #settled = new Uint8Array(64);
  #mask = 63;
  /** Sequence number of the oldest entry not yet dropped. */
  #head = 0;
  /** Sequence number the next call gets. */
  #tail = 0;
  /** Entries in [head, cursor) have been judged overdue. */
  #cursor = 0;
  #overdueOutstanding = 0;
  #outstanding = 0;
  /** The last valid start time: a NaN reading must not blind the overdue check for everything after it. */
  #lastStart = 0;

  /** @param thresholdMs - a call outstanding strictly longer than this is overdue. */
  constructor(readonly thresholdMs: number) {}

  /** Calls sent and not yet settled. */
  get outstanding(): number {
    return this.#outstanding;
  }

  /** Registers a call started at `now`; returns its id for {@link InFlightTracker.settle}. */
  start(now: number): number {
    if (this.#tail - this.#head > this.#mask) this.#grow();
    const id = this.#tail++;
    this.#starts[id & this.#mask] = now === now ? (this.#lastStart = now) : this.#lastStart;
    this.#settled[id & this.#mask] = 0;
    this.#outstanding++;
    return id;
  }

  /** Marks call `id` settled (idempotent). */
  settle(id: number): void {
    if (id < this.#head || id >= this.#tail) return;
    const slot = id & this.#mask;
    if (this.#settled[slot] === 1) return;
    this.#settled[slot] = 1;
    this.#outstanding--;
    if (id < this.#cursor) this.#overdueOutstanding--;
    while (this.#head < this.#tail && this.#settled[this.#head & this.#mask] === 1) this.#head++;
    if (this.#cursor < this.#head) this.#cursor = this.#head;
  }

  /** Outstanding calls that started more than `thresholdMs` before `now`. */
  countOverdue(now: number): number {
    // Same arithmetic as the latency the breaker records (now − start), so both agree at the threshold.
    while (this.#cursor < this.#tail && now - this.#starts[this.#cursor & this.#mask]! > this.thresholdMs) {
      if (this.#settled[this.#cursor & this.#mask] === 0) this.#overdueOutstanding++;
      this.#cursor++;
    }
    return this.#overdueOutstanding;
  }

  /** Ages at `now` of the overdue outstanding calls (oldest first); for reporting, not the hot path. */
  overdueAges(now: number): number[] {
    this.countOverdue(now);
    const ages: number[] = [];
    for (let id = this.#head; id < this.#cursor; id++) {
      if (this.#settled[id & this.#mask] === 0) ages.push(now - this.#starts[id & this.#mask]!);
    }
    return ages;
  }

  /** Forgets every outstanding call (their settlements become no-ops). */
  clear(): void {
    this.#head = this.#tail;
    this.#cursor = this.#tail;
    this.#overdueOutstanding = 0;
    this.#outstanding = 0;
  }

  #grow(): void {
    const size = (this.#mask + 1) * 2;
    const starts = new Float64Array(size);
    const settled = new Uint8Array(size);
    for (let id = this.#head; id < this.#tail; id++) {
      starts[id & (size - 1)] = this.#starts[id & this.#mask]!;
      settled[id & (size - 1)] = this.#settled[id & this.#mask]!;
    }
    this.#starts = starts;
    this.#settled = settled;
    this.#mask = size - 1;
  }
}
