import type { CircuitBreaker } from '../breaker/CircuitBreaker.js';
import type { CircuitBreakerOptions } from '../config/CircuitBreakerOptions.js';
import type { Logger } from '../Logger.js';
import type { HealthChecker } from './HealthChecker.js';

/**
 * How one operation of a wrapped client meets the breaker:
 * - `guard`: admitted or refused by the circuit, measured, judged (the default);
 * - `bypass`: always sent, even while open, and recorded in the breaker's counts (`executeUnguarded`);
 *   in closed it is measured and judged like a guarded call. The default for `cancelOrder`: a cancel is
 *   how you get out of risk.
 * - `direct`: the breaker never sees it (pure helpers, synchronous methods).
 *
 * @example
 * ```ts
 * const operations = { getQuote: 'guard', cancelAllOrders: 'bypass', formatOrder: 'direct' } as const;
 * ```
 */
export type OperationPolicy = 'guard' | 'bypass' | 'direct';

/**
 * Options of `createTradingCircuitBreaker`. The core breaker options may be given here at the top level
 * (`{ name, latencyThresholdMs, clock, … }`) or grouped in `breaker` — one or the other, not both.
 *
 * @example
 * ```ts
 * const options: TradingCircuitBreakerOptions<VenueClient> = {
 *   breaker: { name: 'binance', latencyThresholdMs: 150, clock },
 *   operations: { cancelAllOrders: 'bypass' },
 *   isBusinessRejection: (error) => error instanceof VenueRejection,
 *   healthChecker: new PingHealthChecker({ ping: (signal) => venue.ping(signal), latencyThresholdMs: 150, clock }),
 * };
 * ```
 */
export interface TradingCircuitBreakerOptions<C extends object> extends CircuitBreakerOptions {
  /**
   * Options for a breaker created for this client (and disposed with it), or an existing breaker to
   * share (for example from a `BreakerRegistry`; it is not disposed with the client). Defaults to a new
   * breaker with the core defaults.
   */
  readonly breaker?: CircuitBreakerOptions | CircuitBreaker | undefined;
  /** Policy per operation. Defaults to `guard` for every method and `bypass` for `cancelOrder`. */
  readonly operations?: { readonly [K in keyof C]?: OperationPolicy } | undefined;
  /**
   * True for an operation's error that is the venue's business answer (insufficient margin, price out
   * of band): rethrown untouched and counted as a success in the window — the node answered. Combined
   * with the breaker's own `isFailure`: an error is a failure when it is not a business rejection and
   * `isFailure` says so. A predicate that throws is logged and the error counts as a failure.
   * Defaults to none.
   */
  readonly isBusinessRejection?: ((error: unknown, operation: string) => boolean) | undefined;
  /**
   * Asked before half-open, so that live orders never find out whether the node is back. Only with
   * breaker options (an existing breaker has its own `healthCheck`). Defaults to none.
   */
  readonly healthChecker?: HealthChecker | undefined;
  /**
   * Finds the caller's AbortSignal among an operation's arguments, e.g.
   * `(op, args) => (args.at(-1) as { signal?: AbortSignal } | undefined)?.signal`. With it, an aborted
   * half-open probe releases its permit and counts as neither success nor failure. The breaker never
   * aborts an operation itself. Defaults to none.
   */
  readonly signalOf?: ((operation: string, args: readonly unknown[]) => AbortSignal | undefined) | undefined;
  /** Where the trading layer writes its own lines (a cancel sent while open…). Defaults to the breaker options' logger, else the console logger. */
  readonly logger?: Logger | undefined;
}
