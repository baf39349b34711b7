import type { CircuitBreaker } from '../breaker/CircuitBreaker.js';
import { consoleLogger, safeLog, type Logger } from '../Logger.js';
import type { StateStore } from './StateStore.js';

/**
 * Saves `breaker.snapshot()` to `store` on every state change, so a restart resumes where the breaker
 * was (pass `store.load(name)` as the `restore` option). A failing save never reaches the breaker or its
 * callers: it is logged once per failure streak (the first failure at `error`, the recovery at `info`
 * with how many saves failed in between), and the next state change tries again.
 *
 * @param logger - where failures go. Defaults to the console logger.
 * @returns a function that stops saving.
 * @example
 * ```ts
 * const store = new FileStateStore('breaker-state.json');
 * const breaker = createCircuitBreaker({ name: 'venue', restore: store.load('venue') });
 * const detach = attachStateStore(breaker, store, logger);
 * // on shutdown:
 * detach();
 * breaker.dispose();
 * ```
 */
export function attachStateStore(breaker: CircuitBreaker, store: StateStore, logger: Logger = consoleLogger): () => void {
  let failedSaves = 0;
  let attached = true;
  const save = (): void => {
    if (!attached) return;
    try {
      store.save(breaker.name, breaker.snapshot());
    } catch (error) {
      failedSaves++;
      if (failedSaves === 1) {
        safeLog(logger, 'error', { breaker: breaker.name, err: error }, 'could not save breaker state; it will not survive a restart until a save succeeds');
      }
      return;
    }
    if (failedSaves > 0) {
      safeLog(logger, 'info', { breaker: breaker.name, failedSaves }, 'breaker state saved again');
      failedSaves = 0;
    }
  };
  const unsubscribe = breaker.onStateChange(save);
  return () => {
    attached = false;
    unsubscribe();
  };
}
