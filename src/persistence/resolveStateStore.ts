import { ConfigError } from '../errors/ConfigError.js';
import { FileStateStore } from './FileStateStore.js';
import type { StateStore } from './StateStore.js';

/** The `persist` option: the embedded file store, or any {@link StateStore}. */
export type PersistOption = { readonly file: string } | { readonly store: StateStore };

/**
 * Turns the `persist` option into a store: `{ file }` → a {@link FileStateStore} on that path,
 * `{ store }` → that store.
 *
 * @throws {@link ConfigError} naming `persist` when it is neither.
 * @example
 * ```ts
 * const store = resolveStateStore({ file: 'breaker-state.json' });
 * const breaker = createCircuitBreaker({ name: 'venue', restore: store.load('venue') });
 * ```
 */
export function resolveStateStore(persist: PersistOption): StateStore {
  const fail = (expected: string, value: unknown = persist): never => {
    throw new ConfigError([{ option: 'persist', value, expected }]);
  };
  if (typeof persist !== 'object' || persist === null || Array.isArray(persist)) {
    return fail('{ file: string } or { store: StateStore }');
  }
  const given = persist as { file?: unknown; store?: unknown };
  const keys = Object.keys(given);
  const unknown = keys.filter((k) => k !== 'file' && k !== 'store');
  if (unknown.length > 0) return fail(`only "file" or "store" (unknown key ${JSON.stringify(unknown[0])})`);
  if ('file' in given && 'store' in given) return fail('either "file" or "store", not both');
  if ('file' in given) {
    if (typeof given.file !== 'string' || given.file.length === 0) return fail('persist.file: a non-empty path', given.file);
    return new FileStateStore(given.file);
  }
  const store = given.store as Partial<StateStore> | undefined;
  if (typeof store !== 'object' || store === null || typeof store.load !== 'function' || typeof store.save !== 'function') {
    return fail('persist.store: an object with load(name) and save(name, snapshot)', store);
  }
  return store as StateStore;
}
