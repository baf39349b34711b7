import type { CircuitBreaker, TryResult } from '../breaker/CircuitBreaker.js';
import { createTradingCircuitBreaker, Trading } from './createTradingCircuitBreaker.js';
import type { TradingCircuitBreakerOptions } from './TradingCircuitBreakerOptions.js';

/**
 * A trading client wrapped by a circuit breaker. `client` has exactly the input client's type, so call
 * sites do not change.
 *
 * Order safety: nothing is retried, replayed or aborted by the wrapper. A refused call rejects with
 * `CircuitOpenError` (`sent: false`: the operation was never invoked); an operation's own error passes
 * through untouched (same object).
 *
 * @example
 * ```ts
 * using trading = createTradingCircuitBreaker(venue, { breaker: { name: 'binance' } });
 * try {
 *   await trading.client.placeOrder(order);
 * } catch (e) {
 *   if (isCircuitOpenError(e)) routeElsewhere(order); // never sent
 *   else throw e;                                      // the venue's own answer
 * }
 * await trading.client.cancelOrder(id);                // goes out even while open
 * trading.breaker.forceOpen({ by: 'desk', why: 'venue halted' });
 * ```
 */
export interface TradingCircuitBreaker<C> extends Disposable {
  /** The wrapped client: same type, same non-function properties, methods bound to the original. */
  readonly client: C;
  /** The breaker behind it: state, stats, manual controls. */
  readonly breaker: CircuitBreaker;
  /**
   * The same operations returning `{ ok: true, value } | { ok: false, reason, retryAfterMs }`
   * instead of throwing a refusal: for hot loops where an exception per refused call costs too much.
   * An operation's own error still rejects.
   */
  readonly tryClient: TryClient<C>;
  /**
   * Disposes the breaker if it was created for this client (a shared breaker is left alone). Afterwards
   * guarded operations are refused; bypass operations are still sent. Idempotent.
   */
  dispose(): void;
}

/**
 * The constructor form of {@link createTradingCircuitBreaker}: `new TradingCircuitBreaker(client, options)`
 * returns the same wrapper (`client`, `tryClient`, `breaker`, `dispose`).
 *
 * @example
 * ```ts
 * const trading = new TradingCircuitBreaker(venue, { breaker: { name: 'binance' } });
 * await trading.client.placeOrder(order);
 * ```
 */
export const TradingCircuitBreaker = function TradingCircuitBreaker<C extends object>(
  client: C,
  options?: TradingCircuitBreakerOptions<C>,
): TradingCircuitBreaker<C> {
  return createTradingCircuitBreaker(client, options);
} as unknown as new <C extends object>(client: C, options?: TradingCircuitBreakerOptions<C>) => TradingCircuitBreaker<C>;
// `new TradingCircuitBreaker(…) instanceof TradingCircuitBreaker` holds: the constructor returns a Trading.
TradingCircuitBreaker.prototype = Trading.prototype;

/**
 * The async operations of `C`, each returning a {@link TryResult} instead of throwing a refusal.
 *
 * @example
 * ```ts
 * const result = await trading.tryClient.getQuote('BTC-USD');
 * if (!result.ok) return skipTick(result.retryAfterMs);
 * quote(result.value);
 * ```
 */
export type TryClient<C> = {
  readonly [K in keyof C as C[K] extends (...args: never[]) => PromiseLike<unknown> ? K : never]: C[K] extends (
    ...args: infer A
  ) => PromiseLike<infer R>
    ? (...args: A) => Promise<TryResult<R>>
    : never;
};
