/** A function that starts one call and returns its promise (or throws synchronously). */
export type Call = () => unknown;

/**
 * Compiles a fresh loop around `call`, in its own function so that V8 keeps separate type feedback per
 * candidate: one shared loop would see every candidate's call site and go megamorphic, penalizing
 * whichever ran last. Every loop awaits each call, so nothing can be optimized away.
 *
 * - `sequential`: `n` calls one after the other, each awaited; a rejection is caught and counted (for
 *   refused calls) — `try` costs nothing when nothing throws.
 * - `concurrent`: `n` calls in batches of `width`, all started before any settles, each batch awaited
 *   with `Promise.all` (so `width` calls are in flight together).
 *
 * @example
 * ```ts
 * const loop = compileLoop('sequential', () => fn());
 * await loop(1000);
 * ```
 */
export function compileLoop(kind: 'sequential' | 'concurrent', call: Call, width = 1000): (n: number) => Promise<number> {
  if (kind === 'sequential') {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    return new Function(
      'call',
      `return async function sequential(n) {
        let rejected = 0;
        for (let i = 0; i < n; i++) {
          try { await call(); } catch { rejected++; }
        }
        return rejected;
      };`,
    )(call) as (n: number) => Promise<number>;
  }
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function(
    'call',
    'width',
    `return async function concurrent(n) {
      const inFlight = new Array(width);
      for (let done = 0; done < n; done += width) {
        for (let i = 0; i < width; i++) inFlight[i] = call();
        await Promise.all(inFlight);
      }
      return 0;
    };`,
  )(call, width) as (n: number) => Promise<number>;
}
