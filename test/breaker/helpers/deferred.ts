/** A promise resolved or rejected by hand: how tests decide exactly when a call or a probe settles. */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
  /** True once resolve or reject has been called. */
  readonly settled: boolean;
}

/**
 * Creates a {@link Deferred}.
 *
 * @example
 * ```ts
 * const d = deferred<number>();
 * const call = breaker.execute(() => d.promise);
 * clock.increment(250);
 * d.resolve(1);
 * await call;
 * ```
 */
export function deferred<T = unknown>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  let settled = false;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return {
    promise,
    resolve(value) {
      settled = true;
      resolve(value);
    },
    reject(error) {
      settled = true;
      reject(error);
    },
    get settled() {
      return settled;
    },
  };
}
