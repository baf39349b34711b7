/**
 * Lets every pending promise callback run (one macrotask turn), without moving simulated time: a resolved
 * deferred's continuations, a health check that answers at once.
 *
 * @example
 * ```ts
 * d.resolve(true);
 * await settle();
 * ```
 */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
