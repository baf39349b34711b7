/**
 * Half-open admission: at most `limit` probes in flight at once, and more callers refused at once, never
 * queued (a queued order is a stale order). The first probe of an episode starts the machine's probe
 * timeout; when every admitted probe is abandoned by its caller, the episode goes back to waiting for one.
 *
 * @example
 * ```ts
 * const probes = new HalfOpenProbes(3, { started: (at) => send('PROBE_ADMITTED', at), abandoned: (at) => send('PROBES_ABANDONED', at) });
 * probes.tryAdmit(now); // true: the first probe, the timeout starts
 * probes.release(false, now);
 * ```
 */
export class HalfOpenProbes {
  #inFlight = 0;
  #episodeStarted = false;

  constructor(
    private readonly limit: number,
    private readonly events: { started(at: number): void; abandoned(at: number): void },
  ) {}

  /** Probes admitted and not yet settled or abandoned. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Takes a permit, or returns false when all `limit` are taken. */
  tryAdmit(at: number): boolean {
    if (this.#inFlight >= this.limit) return false;
    this.#inFlight++;
    if (!this.#episodeStarted) {
      this.#episodeStarted = true;
      this.events.started(at);
    }
    return true;
  }

  /** Gives a permit back: the probe settled, or its caller abandoned it (aborted). */
  release(abandoned: boolean, at: number): void {
    this.#inFlight--;
    if (abandoned && this.#inFlight === 0) {
      this.#episodeStarted = false;
      this.events.abandoned(at);
    }
  }

  /** A new episode (or none): the old one's permits died with it. */
  reset(): void {
    this.#inFlight = 0;
    this.#episodeStarted = false;
  }
}
