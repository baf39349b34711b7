import { createCircuitBreaker } from '../breaker/createCircuitBreaker.js';
import type { CircuitBreaker } from '../breaker/CircuitBreaker.js';
import { realClock, type Clock } from '../Clock.js';
import type { CircuitBreakerOptions } from '../config/CircuitBreakerOptions.js';
import { resolveOptions } from '../config/resolveOptions.js';
import { ConfigError, isConfigError, type ConfigProblem } from '../errors/ConfigError.js';
import { consoleLogger, safeLog, type Logger } from '../Logger.js';
import { failurePredicate, markUnderstandsOperationFailures } from './OperationFailure.js';

interface Entry {
  readonly breaker: CircuitBreaker;
  readonly overrides: CircuitBreakerOptions | undefined;
  warned: boolean;
}

/**
 * One breaker per venue or node, created lazily by key. Every breaker shares the registry's defaults —
 * one clock (the one timer source), one random source, one logger — and `dispose()` disposes them all.
 * It is an ordinary object you own, not a global.
 *
 * A breaker disposed on its own leaves the registry; the next `get` of its key creates a fresh one.
 *
 * @throws {@link ConfigError} from the constructor when `defaults` are invalid or contain `name` or
 *   `restore` (both are per breaker).
 * @example
 * ```ts
 * const registry = new BreakerRegistry({ latencyThresholdMs: 150, logger: pino() });
 * registry.onBreakerCreated((breaker) => metrics.track(breaker));
 * const fill = await registry.get('binance').execute(() => binance.placeOrder(order));
 * for (const breaker of registry.list()) console.log(breaker.name, breaker.state);
 * registry.dispose();
 * ```
 */
export class BreakerRegistry implements Disposable {
  /** The clock every breaker of this registry uses. */
  readonly clock: Clock;
  readonly #defaults: CircuitBreakerOptions;
  readonly #logger: Logger;
  readonly #entries = new Map<string, Entry>();
  readonly #listeners = new Set<(breaker: CircuitBreaker) => void>();
  #disposed = false;

  /** @param defaults - options shared by every breaker; `get(key, overrides)` may override all but `clock`. */
  constructor(defaults: CircuitBreakerOptions = {}) {
    if (typeof defaults !== 'object' || defaults === null || Array.isArray(defaults)) {
      throw new ConfigError([{ option: 'defaults', value: defaults, expected: 'an object of circuit breaker options' }]);
    }
    const problems: ConfigProblem[] = [];
    if (defaults.name !== undefined) problems.push({ option: 'name', value: defaults.name, expected: 'no name in registry defaults: each breaker is named by its key' });
    if (defaults.restore !== undefined) problems.push({ option: 'restore', value: '(a snapshot)', expected: 'no restore in registry defaults: a snapshot belongs to one breaker; pass it to get(key, { restore })' });
    const { name: _name, restore: _restore, ...rest } = defaults;
    try {
      resolveOptions({ ...rest, name: 'registry-defaults' });
    } catch (error) {
      if (!isConfigError(error)) throw error;
      problems.push(...error.problems);
    }
    if (problems.length > 0) throw new ConfigError(problems);
    this.clock = defaults.clock ?? realClock;
    this.#logger = defaults.logger ?? consoleLogger;
    this.#defaults = Object.freeze({ ...rest, clock: this.clock });
  }

  /**
   * The breaker for `key`, created on first use with the defaults and `overrides` (named `key`). Later
   * calls return the same breaker; their `overrides` are ignored (a warning is logged once if they differ).
   *
   * @throws Error when the registry is disposed; TypeError when `key` is not a non-empty string;
   *   {@link ConfigError} when `overrides` rename the breaker, bring another clock, or are invalid.
   */
  get(key: string, overrides?: CircuitBreakerOptions): CircuitBreaker {
    if (this.#disposed) throw new Error(`BreakerRegistry is disposed: cannot get breaker "${String(key)}"`);
    if (typeof key !== 'string' || key.length === 0) throw new TypeError(`BreakerRegistry.get expects a non-empty string key, got ${JSON.stringify(key)}`);
    const existing = this.#entries.get(key);
    if (existing !== undefined) {
      if (overrides !== undefined && !existing.warned && !sameOptions(existing.overrides, overrides)) {
        existing.warned = true;
        safeLog(this.#logger, 'warn', { breaker: key }, `BreakerRegistry.get("${key}") was given different overrides after the breaker was created; they are ignored`);
      }
      return existing.breaker;
    }
    const options = this.#optionsFor(key, overrides);
    // Trading clients sharing this breaker pass their business rejections through isFailure, tagged.
    const isFailure = options.isFailure === undefined || typeof options.isFailure === 'function' ? failurePredicate(options.isFailure) : options.isFailure;
    const breaker = createCircuitBreaker({ ...options, isFailure });
    markUnderstandsOperationFailures(breaker);
    const entry: Entry = { breaker, overrides, warned: false };
    this.#entries.set(key, entry);
    // A breaker disposed by its user completes its streams: forget it so the key can be created afresh.
    breaker.stateChanges$.subscribe({
      complete: () => {
        if (this.#entries.get(key) === entry) this.#entries.delete(key);
      },
    });
    for (const listener of [...this.#listeners]) {
      try {
        listener(breaker);
      } catch (error) {
        safeLog(this.#logger, 'error', { breaker: key, err: error }, 'a BreakerRegistry onBreakerCreated listener threw; it was ignored');
      }
    }
    return breaker;
  }

  /** True when a live breaker exists for `key` (false after dispose). */
  has(key: string): boolean {
    return this.#entries.has(key);
  }

  /** The live breakers, in creation order: what a metrics exporter iterates over. */
  list(): CircuitBreaker[] {
    return [...this.#entries.values()].map((entry) => entry.breaker);
  }

  /**
   * Calls `listener` with every breaker created from now on (not the existing ones: see {@link list}).
   * A listener that throws is logged and changes nothing else. Returns the unsubscribe function.
   */
  onBreakerCreated(listener: (breaker: CircuitBreaker) => void): () => void {
    if (typeof listener !== 'function') throw new TypeError(`onBreakerCreated expects a function, got ${typeof listener}`);
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Disposes every breaker (their timers included) and refuses later `get` calls. Idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    const entries = [...this.#entries.values()];
    this.#entries.clear();
    this.#listeners.clear();
    for (const { breaker } of entries) breaker.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  #optionsFor(key: string, overrides: CircuitBreakerOptions | undefined): CircuitBreakerOptions {
    if (overrides === undefined) return { ...this.#defaults, name: key };
    if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides)) {
      throw new ConfigError([{ option: 'overrides', value: overrides, expected: 'an object of circuit breaker options' }]);
    }
    const problems: ConfigProblem[] = [];
    if (overrides.name !== undefined && overrides.name !== key) {
      problems.push({ option: 'name', value: overrides.name, expected: `no rename: the breaker is named by its key "${key}"` });
    }
    if (overrides.clock !== undefined && overrides.clock !== this.clock) {
      problems.push({ option: 'clock', value: '(another clock)', expected: "the registry's clock: every breaker of a registry shares one timer source" });
    }
    if (problems.length > 0) throw new ConfigError(problems);
    const recovery = this.#defaults.recovery !== undefined && overrides.recovery !== undefined && typeof overrides.recovery === 'object'
      ? { recovery: { ...this.#defaults.recovery, ...overrides.recovery } }
      : {};
    return { ...this.#defaults, ...overrides, ...recovery, name: key, clock: this.clock };
  }
}

/** Shallow equality of two option objects, one level into `recovery`. */
function sameOptions(a: CircuitBreakerOptions | undefined, b: CircuitBreakerOptions): boolean {
  if (a === b) return true;
  const left = (a ?? {}) as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
  for (const key of keys) {
    const x = left[key];
    const y = right[key];
    if (Object.is(x, y)) continue;
    if (key === 'recovery' && typeof x === 'object' && typeof y === 'object' && x !== null && y !== null) {
      const rx = x as Record<string, unknown>;
      const ry = y as Record<string, unknown>;
      const inner = new Set([...Object.keys(rx), ...Object.keys(ry)]);
      if ([...inner].every((k) => Object.is(rx[k], ry[k]))) continue;
    }
    return false;
  }
  return true;
}
