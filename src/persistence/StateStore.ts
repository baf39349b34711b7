import type { BreakerSnapshot } from '../breaker/BreakerSnapshot.js';

/**
 * Where breakers keep their state across restarts: one snapshot per breaker name. Implementations are
 * synchronous on purpose: state changes are rare and `createCircuitBreaker` is synchronous, so the state
 * is read before the breaker admits its first call.
 *
 * @example
 * ```ts
 * const memory = new Map<string, BreakerSnapshot>();
 * const store: StateStore = {
 *   load: (name) => memory.get(name),
 *   save: (name, snapshot) => void memory.set(name, snapshot),
 * };
 * const breaker = createCircuitBreaker({ name: 'venue', restore: store.load('venue') });
 * attachStateStore(breaker, store);
 * ```
 */
export interface StateStore {
  /**
   * The last snapshot saved under `name`, or `undefined` when there is none.
   *
   * @throws when the stored state cannot be read (for {@link FileStateStore}: {@link StateFileError}).
   */
  load(name: string): BreakerSnapshot | undefined;
  /** Stores `snapshot` under `name`, replacing the previous one. May throw; the caller decides. */
  save(name: string, snapshot: BreakerSnapshot): void;
}
