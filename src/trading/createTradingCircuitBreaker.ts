import { createCircuitBreaker } from '../breaker/createCircuitBreaker.js';
import type { CircuitBreaker, ExecuteOptions, TryResult } from '../breaker/CircuitBreaker.js';
import type { CircuitBreakerOptions } from '../config/CircuitBreakerOptions.js';
import { BREAKER_OPTION_KEYS } from '../config/resolveOptions.js';
import { CircuitOpenError } from '../errors/CircuitOpenError.js';
import { ConfigError, isConfigError, type ConfigProblem } from '../errors/ConfigError.js';
import { consoleLogger, isLogger, safeLog, type Logger } from '../Logger.js';
import { toHealthCheck } from './HealthChecker.js';
import { failurePredicate, markUnderstandsOperationFailures, OperationFailure, understandsOperationFailures } from './OperationFailure.js';
import { proxyClient, proxyOperations } from './proxyClient.js';
import type { TradingCircuitBreaker, TryClient } from './TradingCircuitBreaker.js';
import type { OperationPolicy, TradingCircuitBreakerOptions } from './TradingCircuitBreakerOptions.js';

/**
 * The policies that apply when `operations` does not name an operation: `cancelOrder` is bypass (sent
 * even while open, and recorded), everything else is guarded.
 *
 * @example
 * ```ts
 * DEFAULT_OPERATION_POLICIES.cancelOrder; // 'bypass'
 * ```
 */
export const DEFAULT_OPERATION_POLICIES: Readonly<Record<string, OperationPolicy>> = Object.freeze({ cancelOrder: 'bypass' });

/**
 * Wraps a trading client (an object of async operations: `placeOrder`, `cancelOrder`, `getQuote`, …) so
 * that every operation goes through a circuit breaker. The returned `client` has exactly the input
 * client's type; non-function properties pass through, and methods run with the original client as `this`.
 *
 * Order safety: nothing is retried, replayed or aborted by the wrapper. A refused call rejects with
 * `CircuitOpenError` (`sent: false`); an operation's own error passes untouched.
 *
 * @throws {@link ConfigError} listing every invalid option (breaker options included, prefixed `breaker.`).
 * @example
 * ```ts
 * import { createTradingCircuitBreaker, isCircuitOpenError } from 'p99-breaker';
 *
 * const trading = createTradingCircuitBreaker(venue, {
 *   breaker: { name: 'binance', latencyThresholdMs: 150 },
 *   isBusinessRejection: (error) => error instanceof VenueRejection,
 * });
 * const client = trading.client;              // typeof venue
 * await client.placeOrder(order);             // guarded
 * await client.cancelOrder(orderId);          // bypass: goes out even while open
 * trading.dispose();
 * ```
 */
export function createTradingCircuitBreaker<C extends object>(
  client: C,
  options: TradingCircuitBreakerOptions<C> = {},
): TradingCircuitBreaker<C> {
  return new Trading(client, options);
}

const OPTION_KEYS = new Set(['breaker', 'operations', 'isBusinessRejection', 'healthChecker', 'signalOf', 'logger']);
const POLICIES = new Set<unknown>(['guard', 'bypass', 'direct']);

/**
 * A business rejection through a breaker whose `isFailure` knows nothing of this layer (made with
 * `createCircuitBreaker` and shared): resolved, so the breaker counts a success, then rethrown.
 */
class BusinessAnswer {
  constructor(readonly error: unknown) {}
}

type AnyFunction = (...args: unknown[]) => unknown;

const unwrapValue = (value: unknown): unknown => {
  if (value instanceof BusinessAnswer) throw value.error;
  return value;
};
const unwrapError = (error: unknown): never => {
  throw error instanceof OperationFailure ? error.error : error;
};

/**
 * The wrapper behind {@link createTradingCircuitBreaker} and `new TradingCircuitBreaker(…)`. Internal:
 * construct it through either of those.
 *
 * @throws TypeError when `client` is not an object; {@link ConfigError} listing every invalid option.
 * @example
 * ```ts
 * const trading = new Trading(venue, { breaker: { name: 'binance' } });
 * trading instanceof TradingCircuitBreaker; // true
 * ```
 */
export class Trading<C extends object> implements TradingCircuitBreaker<C> {
  readonly client: C;
  readonly breaker: CircuitBreaker;
  readonly tryClient: TryClient<C>;

  readonly #target: C;
  readonly #owns: boolean;
  /** The breaker's `isFailure` unwraps OperationFailure; otherwise business rejections are boxed. */
  readonly #tags: boolean;
  readonly #policies: ReadonlyMap<string, OperationPolicy>;
  readonly #isBusinessRejection: ((error: unknown, operation: string) => boolean) | undefined;
  readonly #signalOf: ((operation: string, args: readonly unknown[]) => AbortSignal | undefined) | undefined;
  readonly #logger: Logger;
  readonly #warnedSync = new Set<string>();
  #disposed = false;

  constructor(client: C, options: TradingCircuitBreakerOptions<C>) {
    if ((typeof client !== 'object' && typeof client !== 'function') || client === null) {
      throw new TypeError(`createTradingCircuitBreaker expects a client object, got ${client === null ? 'null' : typeof client}`);
    }
    if (options === undefined || options === null) options = {};
    if (typeof options !== 'object' || Array.isArray(options)) {
      throw new ConfigError([{ option: 'options', value: options, expected: 'an object' }]);
    }
    const problems: ConfigProblem[] = [];
    const flat: Record<string, unknown> = {};
    for (const key of Object.keys(options)) {
      const value = (options as Record<string, unknown>)[key];
      if (OPTION_KEYS.has(key)) continue;
      // The core's options are accepted at the top level too (`{ name, latencyThresholdMs, … }`), unless `breaker` is given.
      if (BREAKER_OPTION_KEYS.has(key) && options.breaker === undefined) flat[key] = value;
      else if (BREAKER_OPTION_KEYS.has(key)) problems.push({ option: key, value, expected: 'inside `breaker` (breaker options are given either flat or in `breaker`, not both)' });
      else problems.push({ option: key, value, expected: 'no such option (unknown key)' });
    }
    this.#target = client;
    this.#policies = readPolicies(client, options.operations, problems);
    this.#isBusinessRejection = readFunction(options.isBusinessRejection, 'isBusinessRejection', 'a function (error, operation) => boolean', problems);
    this.#signalOf = readFunction(options.signalOf, 'signalOf', 'a function (operation, args) => AbortSignal | undefined', problems);
    const { healthChecker, logger } = options;
    if (healthChecker !== undefined && (typeof healthChecker !== 'object' || healthChecker === null || typeof healthChecker.check !== 'function')) {
      problems.push({ option: 'healthChecker', value: healthChecker, expected: 'an object with check(signal)' });
    }
    if (logger !== undefined && !isLogger(logger)) problems.push({ option: 'logger', value: logger, expected: 'an object with info(), warn() and error()' });

    const given = options.breaker ?? (Object.keys(flat).length > 0 ? (flat as CircuitBreakerOptions) : undefined);
    const shared = isBreaker(given);
    if (shared && healthChecker !== undefined) {
      problems.push({ option: 'healthChecker', value: '(a health checker)', expected: 'breaker options, not an existing breaker: set healthCheck: toHealthCheck(checker) where that breaker is created' });
    }
    if (!shared && given !== undefined && (typeof given !== 'object' || given === null || Array.isArray(given))) {
      problems.push({ option: 'breaker', value: given, expected: 'circuit breaker options or a CircuitBreaker' });
    }
    const breakerOptions = (shared || typeof given !== 'object' || given === null ? {} : given) as CircuitBreakerOptions;
    if (healthChecker !== undefined && breakerOptions.healthCheck !== undefined) {
      problems.push({ option: 'healthChecker', value: '(a health checker)', expected: 'either healthChecker or breaker.healthCheck, not both' });
    }
    this.#logger = logger !== undefined && isLogger(logger) ? logger : isLogger(breakerOptions.logger) ? breakerOptions.logger : consoleLogger;

    let breaker: CircuitBreaker | undefined;
    if (shared) breaker = given;
    else {
      try {
        breaker = createCircuitBreaker(this.#ownBreakerOptions(breakerOptions, healthChecker));
      } catch (error) {
        if (!isConfigError(error)) throw error;
        problems.push(...error.problems.map((p) => ({ ...p, option: `breaker.${p.option}` })));
      }
    }
    if (problems.length > 0) {
      breaker?.dispose();
      throw new ConfigError(problems);
    }
    this.breaker = breaker!;
    this.#owns = !shared;
    if (this.#owns) markUnderstandsOperationFailures(this.breaker);
    this.#tags = understandsOperationFailures(this.breaker);
    this.client = proxyClient(client, (operation, fn) => {
      const call = (...args: unknown[]): unknown => this.#invoke(operation, fn, args);
      return Object.defineProperty(call, 'name', { value: operation });
    });
    this.tryClient = proxyOperations<TryClient<C>>(client, (operation, fn) => {
      const call = (...args: unknown[]): Promise<TryResult<unknown>> => this.#tryInvoke(operation, fn, args);
      return Object.defineProperty(call, 'name', { value: operation });
    });
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    if (this.#owns) this.breaker.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** The breaker options with business rejections folded into `isFailure` and the health checker plugged in. */
  #ownBreakerOptions(options: CircuitBreakerOptions, healthChecker: TradingCircuitBreakerOptions<C>['healthChecker']): CircuitBreakerOptions {
    const userIsFailure = options.isFailure;
    // An invalid isFailure is passed on as given, so that the core reports it.
    if (userIsFailure !== undefined && typeof userIsFailure !== 'function') return options;
    // A call made through `breaker.execute` directly is judged too, with operation ''.
    const isFailure = failurePredicate(userIsFailure, (error) => this.#isBusiness(error, ''));
    const healthCheck = healthChecker !== undefined && typeof healthChecker?.check === 'function' ? { healthCheck: toHealthCheck(healthChecker) } : {};
    return { ...options, isFailure, ...healthCheck };
  }

  #policyOf(operation: string): OperationPolicy {
    return this.#policies.get(operation) ?? (Object.hasOwn(DEFAULT_OPERATION_POLICIES, operation) ? DEFAULT_OPERATION_POLICIES[operation]! : 'guard');
  }

  #invoke(operation: string, fn: AnyFunction, args: unknown[]): unknown {
    const policy = this.#policyOf(operation);
    if (policy === 'direct') return fn.apply(this.#target, args);
    const run = this.#runner(operation, fn, args);
    if (policy === 'bypass') {
      if (this.#disposed && !this.#owns) return run().then(unwrapValue, unwrapError);
      const state = this.breaker.state;
      if (state === 'open' || state === 'halfOpen') {
        safeLog(this.#logger, 'info', { event: 'bypass', breaker: this.breaker.name, operation, state }, `${operation} sent while circuit ${this.breaker.name} is ${state} (bypass)`);
      }
      return this.breaker.executeUnguarded(run).then(unwrapValue, unwrapError);
    }
    if (this.#disposed && !this.#owns) return Promise.reject(this.#detachedRefusal());
    const options = this.#executeOptions(operation, args);
    const result = options === undefined ? this.breaker.execute(run) : this.breaker.execute(run, options);
    return result.then(unwrapValue, unwrapError);
  }

  async #tryInvoke(operation: string, fn: AnyFunction, args: unknown[]): Promise<TryResult<unknown>> {
    if (this.#policyOf(operation) !== 'guard') return { ok: true, value: await this.#invoke(operation, fn, args) };
    if (this.#disposed && !this.#owns) {
      const refusal = this.#detachedRefusal();
      return { ok: false, reason: refusal.reason, retryAfterMs: null };
    }
    const run = this.#runner(operation, fn, args);
    const options = this.#executeOptions(operation, args);
    const result = await (options === undefined ? this.breaker.tryExecute(run) : this.breaker.tryExecute(run, options)).catch(unwrapError);
    return result.ok ? { ok: true, value: unwrapValue(result.value) } : result;
  }

  /** The operation as the breaker runs it: errors tagged with operation and verdict (for an isFailure that unwraps them), or business answers boxed (other breakers). */
  #runner(operation: string, fn: AnyFunction, args: unknown[]): () => Promise<unknown> {
    return async () => {
      try {
        const result = fn.apply(this.#target, args);
        if (!isThenable(result)) this.#warnSynchronous(operation);
        return await result;
      } catch (error) {
        const business = this.#isBusiness(error, operation);
        if (this.#tags) throw new OperationFailure(error, operation, business);
        if (business) return new BusinessAnswer(error);
        throw error;
      }
    };
  }

  #executeOptions(operation: string, args: readonly unknown[]): ExecuteOptions | undefined {
    if (this.#signalOf === undefined) return undefined;
    let signal: unknown;
    try {
      signal = this.#signalOf(operation, args);
    } catch (error) {
      safeLog(this.#logger, 'error', { breaker: this.breaker.name, operation, err: error }, 'signalOf threw; the call goes on without a signal');
      return undefined;
    }
    if (signal === undefined || signal === null) return undefined;
    if (typeof (signal as AbortSignal).addEventListener !== 'function' || typeof (signal as AbortSignal).aborted !== 'boolean') {
      safeLog(this.#logger, 'error', { breaker: this.breaker.name, operation }, 'signalOf returned something that is not an AbortSignal; ignored');
      return undefined;
    }
    return { signal: signal as AbortSignal };
  }

  #isBusiness(error: unknown, operation: string): boolean {
    if (this.#isBusinessRejection === undefined) return false;
    try {
      return Boolean(this.#isBusinessRejection(error, operation));
    } catch (predicateError) {
      safeLog(this.#logger, 'error', { breaker: this.breaker.name, operation, err: predicateError }, 'isBusinessRejection threw; counting the error as a failure');
      return false;
    }
  }

  #warnSynchronous(operation: string): void {
    if (this.#warnedSync.has(operation)) return;
    this.#warnedSync.add(operation);
    safeLog(this.#logger, 'warn', { breaker: this.breaker.name, operation }, `${operation} returned a non-promise; the wrapper returns a promise for it. Mark synchronous methods 'direct'.`);
  }

  #detachedRefusal(): CircuitOpenError {
    return new CircuitOpenError(this.breaker.name, 'open', { trigger: 'disposed' }, null);
  }
}

function readPolicies(client: object, operations: unknown, problems: ConfigProblem[]): Map<string, OperationPolicy> {
  const policies = new Map<string, OperationPolicy>();
  if (operations === undefined) return policies;
  if (typeof operations !== 'object' || operations === null || Array.isArray(operations)) {
    problems.push({ option: 'operations', value: operations, expected: 'an object of operation name → policy' });
    return policies;
  }
  for (const [key, policy] of Object.entries(operations)) {
    if (policy === undefined) continue;
    if (!POLICIES.has(policy)) problems.push({ option: `operations.${key}`, value: policy, expected: "'guard', 'bypass' or 'direct'" });
    else if (typeof Reflect.get(client, key, client) !== 'function') problems.push({ option: `operations.${key}`, value: policy, expected: `a method of the client (it has no function "${key}")` });
    else policies.set(key, policy as OperationPolicy);
  }
  return policies;
}

function readFunction<F>(value: F | undefined, option: string, expected: string, problems: ConfigProblem[]): F | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') {
    problems.push({ option, value, expected });
    return undefined;
  }
  return value;
}

function isBreaker(value: unknown): value is CircuitBreaker {
  return typeof value === 'object' && value !== null && typeof (value as CircuitBreaker).execute === 'function' && typeof (value as CircuitBreaker).executeUnguarded === 'function';
}

function isThenable(value: unknown): boolean {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';
}
