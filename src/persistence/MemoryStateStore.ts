import type { BreakerSnapshot } from '../breaker/BreakerSnapshot.js';
import type { StateStore } from './StateStore.js';

/**
 * A {@link StateStore} in memory, for tests and for handing state between breakers in one process.
 * Snapshots are copied through JSON on save and load, exactly as a file or database would, so what
 * comes back is what would survive a restart.
 *
 * @example
 * ```ts
 * const store = new MemoryStateStore();
 * const first = createCircuitBreaker({ name: 'venue', clock });
 * attachStateStore(first, store);
 * // … later, in place of a restart:
 * const second = createCircuitBreaker({ name: 'venue', clock, restore: store.load('venue') });
 * ```
 */
export class MemoryStateStore implements StateStore {
  readonly #texts = new Map<string, string>();

  load(name: string): BreakerSnapshot | undefined {
    const text = this.#texts.get(name);
    return text === undefined ? undefined : (JSON.parse(text) as BreakerSnapshot);
  }

  save(name: string, snapshot: BreakerSnapshot): void {
    this.#texts.set(name, JSON.stringify(snapshot));
  }

  /** Names with a saved snapshot. */
  names(): string[] {
    return [...this.#texts.keys()];
  }
}
