import { realClock, type Clock } from '../Clock.js';
import { ConfigError, type ConfigProblem } from '../errors/ConfigError.js';
import type { HealthChecker } from './HealthChecker.js';

/**
 * Options of {@link PingHealthChecker}.
 *
 * @example
 * ```ts
 * const options: PingHealthCheckerOptions = { ping: (signal) => node.ping(signal), latencyThresholdMs: 200 };
 * ```
 */
export interface PingHealthCheckerOptions {
  /** Pings the node. Healthy when it resolves to anything but `false` in time; a rejection is unhealthy. */
  readonly ping: (signal: AbortSignal) => Promise<unknown>;
  /** The ping's own latency must be at most this, in ms (use the breaker's `latencyThresholdMs`). */
  readonly latencyThresholdMs: number;
  /** Measures the ping's latency. Defaults to the real clock; pass the breaker's clock. */
  readonly clock?: Clock | undefined;
}

/**
 * What the last ping found, for logs and dashboards: the breaker's state change only says "unhealthy".
 *
 * @example
 * ```ts
 * const last = checker.lastResult;
 * if (last?.outcome === 'slow') log.warn(`ping took ${last.latencyMs} ms`);
 * ```
 */
export interface PingResult {
  readonly healthy: boolean;
  /** `healthy`, `slow` (answered above the threshold), `answeredFalse`, or `error` (the ping rejected). */
  readonly outcome: 'healthy' | 'slow' | 'answeredFalse' | 'error';
  /** The ping's latency in ms, measured with the injected clock. */
  readonly latencyMs: number;
  /** The ping's error when `outcome` is `error`. */
  readonly error?: unknown;
}

/**
 * A {@link HealthChecker} that pings the node and measures the ping's own latency: the node is healthy
 * when the ping resolves (to anything but `false`) within `latencyThresholdMs`. A node that answers, but
 * slowly, is not fit for orders, so a slow ping is unhealthy.
 *
 * @throws {@link ConfigError} when `ping` is not a function, `latencyThresholdMs` is not a finite
 *   number ≥ 0, or `clock` has no `now()`.
 * @example
 * ```ts
 * const clock = new SimulatedClock();
 * const checker = new PingHealthChecker({ ping: (signal) => node.ping(signal), latencyThresholdMs: 200, clock });
 * const breaker = createCircuitBreaker({ name: 'rpc', clock, healthCheck: toHealthCheck(checker) });
 * ```
 */
export class PingHealthChecker implements HealthChecker {
  readonly latencyThresholdMs: number;
  readonly #ping: (signal: AbortSignal) => Promise<unknown>;
  readonly #clock: Clock;
  #last: PingResult | null = null;

  constructor(options: PingHealthCheckerOptions) {
    const problems: ConfigProblem[] = [];
    const given = (typeof options === 'object' && options !== null ? options : {}) as Partial<PingHealthCheckerOptions>;
    if (typeof options !== 'object' || options === null) problems.push({ option: 'options', value: options, expected: 'an object' });
    if (typeof given.ping !== 'function') problems.push({ option: 'ping', value: given.ping, expected: 'a function (signal) => Promise' });
    const threshold = given.latencyThresholdMs;
    if (typeof threshold !== 'number' || !Number.isFinite(threshold) || threshold < 0) {
      problems.push({ option: 'latencyThresholdMs', value: threshold, expected: 'a finite number of milliseconds ≥ 0' });
    }
    if (given.clock !== undefined && (typeof given.clock !== 'object' || given.clock === null || typeof given.clock.now !== 'function')) {
      problems.push({ option: 'clock', value: given.clock, expected: 'an object with now()' });
    }
    if (problems.length > 0) throw new ConfigError(problems);
    this.#ping = given.ping!;
    this.latencyThresholdMs = threshold!;
    this.#clock = given.clock ?? realClock;
  }

  /** The last check's finding, or null before the first. */
  get lastResult(): PingResult | null {
    return this.#last;
  }

  /** Pings once; resolves `true` when the node answered within the threshold. Never rejects. */
  async check(signal: AbortSignal): Promise<boolean> {
    const startedAt = this.#clock.now();
    let answer: unknown;
    try {
      answer = await this.#ping(signal);
    } catch (error) {
      return this.#record({ healthy: false, outcome: 'error', latencyMs: this.#clock.now() - startedAt, error });
    }
    const latencyMs = this.#clock.now() - startedAt;
    if (answer === false) return this.#record({ healthy: false, outcome: 'answeredFalse', latencyMs });
    // `!(a <= b)` so that a NaN latency (a broken clock) is unhealthy too.
    if (!(latencyMs <= this.latencyThresholdMs)) return this.#record({ healthy: false, outcome: 'slow', latencyMs });
    return this.#record({ healthy: true, outcome: 'healthy', latencyMs });
  }

  #record(result: PingResult): boolean {
    this.#last = result;
    return result.healthy;
  }
}
