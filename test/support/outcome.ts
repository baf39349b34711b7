/** How a call ended, seen from the caller. */
export type Outcome<T = unknown> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/**
 * Waits for a call and returns how it ended instead of throwing.
 *
 * @example
 * ```ts
 * const o = await outcome(breaker.execute(() => 1)); // { ok: true, value: 1 }
 * ```
 */
export async function outcome<T>(call: Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await call };
  } catch (error) {
    return { ok: false, error };
  }
}
