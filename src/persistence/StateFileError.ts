const brand = Symbol.for('p99-breaker.StateFileError');

/**
 * A breaker state file could not be read or written: it is corrupt (not JSON, not a p99-breaker state
 * file, an unknown version) or the file system refused. Nothing from a corrupt file is ever applied.
 *
 * @example
 * ```ts
 * try {
 *   store.load('venue');
 * } catch (e) {
 *   if (isStateFileError(e)) console.error(`fix or delete ${e.file}: ${e.message}`);
 * }
 * ```
 */
export class StateFileError extends Error {
  override readonly name = 'StateFileError';

  constructor(
    /** The state file's path, as given to the store. */
    readonly file: string,
    /** What went wrong, for people. */
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`Breaker state file ${JSON.stringify(file)}: ${problem}`, options);
    Object.defineProperty(this, brand, { value: true });
  }
}

/**
 * True when `error` is a {@link StateFileError} from any copy of this package.
 *
 * @example
 * ```ts
 * if (isStateFileError(e)) console.error(e.file);
 * ```
 */
export function isStateFileError(error: unknown): error is StateFileError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[brand] === true;
}
