import type { CircuitBreaker } from '../breaker/CircuitBreaker.js';
import type { StreamBreakerOptions } from './streamBreaker.js';

/**
 * A running self-hosted inspector: a local page (the statechart with the current state highlighted, the
 * P99 against its threshold, the last transitions with their reasons) fed over WebSocket. Bound to
 * loopback only; after {@link InspectorServer.close} nothing it started keeps the process alive.
 *
 * @example
 * ```ts
 * const server = await startInspectorServer({ port: 0 });
 * const breaker = createCircuitBreaker({ name: 'venue-rpc', inspect: server.inspect });
 * const detach = server.attach(breaker);
 * console.log(`open ${server.url}`);
 * ```
 */
export interface InspectorServer {
  /** The page, e.g. `http://127.0.0.1:8099/`. */
  readonly url: string;
  /** The WebSocket producers send to (`createWebSocketInspector({ url: server.wsUrl })` works too). */
  readonly wsUrl: string;
  /** The port actually bound (useful with `port: 0`). */
  readonly port: number;
  /** Pass as `createCircuitBreaker({ inspect: server.inspect })` in-process; never throws. */
  inspect(event: unknown): void;
  /**
   * Also streams the breaker's stats (P99, threshold, state) and its transitions with reasons to the page.
   * Stops by itself when the breaker is disposed; returns the function that stops it earlier.
   */
  attach(breaker: CircuitBreaker, options?: StreamBreakerOptions): () => void;
  /** Closes every socket and the listener; idempotent. */
  close(): Promise<void>;
}
