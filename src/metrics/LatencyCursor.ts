import type { CircuitBreaker } from '../breaker/CircuitBreaker.js';

/** What one {@link LatencyCursor.read} found. */
export interface LatencyRead {
  /** Valid latencies (finite, ≥ 0) recorded since the previous read, oldest first. */
  readonly latenciesMs: number[];
  /** Latencies that left the window (or were reset away) before this read reached them. */
  readonly evicted: number;
  /** Values a source returned that are no latency (NaN, negative, Infinity); the breaker's window has none. */
  readonly invalid: number;
}

/**
 * Reads a breaker's new latencies off the call path: each `read()` returns what the window recorded since
 * the previous one (`breaker.latenciesSince`), and counts what was lost, so summaries fed on a timer —
 * the t-digest, the Prometheus histogram — never drop samples silently.
 *
 * @example
 * ```ts
 * const cursor = new LatencyCursor(breaker);
 * const { latenciesMs, evicted } = cursor.read();
 * digest.push(latenciesMs);
 * ```
 */
export class LatencyCursor {
  #cursor = 0;

  constructor(private readonly breaker: Pick<CircuitBreaker, 'latenciesSince'>) {}

  read(): LatencyRead {
    const read = this.breaker.latenciesSince(this.#cursor);
    this.#cursor = read.cursor;
    const all = read.latenciesMs;
    const latenciesMs = all.every(isLatency) ? all : all.filter(isLatency);
    return { latenciesMs, evicted: read.skipped, invalid: all.length - latenciesMs.length };
  }
}

function isLatency(x: number): boolean {
  return typeof x === 'number' && x >= 0 && x < Infinity;
}
