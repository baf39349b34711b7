/**
 * Internal: the Proxy behind a wrapped client. It stands on an empty shadow target, not on the client
 * itself, so a frozen client works (a Proxy over a frozen object must return its exact functions).
 * Reads, writes, `in`, keys and the prototype go to the client; function properties are replaced by
 * wrappers (cached per key and function) that call the original with the client as `this`.
 */

/**
 * True for the properties that are a client's operations: string-keyed methods, other than `constructor`
 * and those inherited unchanged from `Object.prototype`.
 *
 * @example
 * ```ts
 * isOperationKey('placeOrder', venue.placeOrder);         // true
 * isOperationKey('toString', Object.prototype.toString);  // false
 * isOperationKey(Symbol.dispose, venue[Symbol.dispose]);  // false
 * ```
 */
export function isOperationKey(key: PropertyKey, fn: unknown): key is string {
  if (typeof key !== 'string' || key === 'constructor') return false;
  return !(key in Object.prototype && (Object.prototype as Record<string, unknown>)[key] === fn);
}

type AnyFunction = (...args: unknown[]) => unknown;

/**
 * Returns a Proxy that looks like `client` but whose operations are `wrap(key, fn)`; other functions
 * (symbol-keyed, inherited from `Object.prototype`) are bound to the client.
 *
 * @example
 * ```ts
 * const guarded = proxyClient(venue, (operation, fn) => (...args) => breaker.execute(() => fn.apply(venue, args)));
 * await guarded.placeOrder(order); // goes through the breaker
 * guarded.name === venue.name;     // true: other properties pass through
 * ```
 */
export function proxyClient<C extends object>(client: C, wrap: (key: string, fn: AnyFunction) => AnyFunction): C {
  const cache = new Map<PropertyKey, { fn: AnyFunction; wrapped: AnyFunction }>();
  const wrapped = (key: PropertyKey, fn: AnyFunction): AnyFunction => {
    const hit = cache.get(key);
    if (hit !== undefined && hit.fn === fn) return hit.wrapped;
    const result = isOperationKey(key, fn) ? wrap(key, fn) : (fn.bind(client) as AnyFunction);
    cache.set(key, { fn, wrapped: result });
    return result;
  };
  const shadow = Object.create(null) as object;
  return new Proxy(shadow, {
    get: (_shadow, key) => {
      // The client as receiver: getters that read private fields keep working.
      const value: unknown = Reflect.get(client, key, client);
      if (typeof value !== 'function' || key === 'constructor') return value;
      return wrapped(key, value as AnyFunction);
    },
    set: (_shadow, key, value) => Reflect.set(client, key, value, client),
    has: (_shadow, key) => Reflect.has(client, key),
    deleteProperty: (_shadow, key) => Reflect.deleteProperty(client, key),
    defineProperty: (_shadow, key, descriptor) => Reflect.defineProperty(client, key, descriptor),
    ownKeys: () => Reflect.ownKeys(client),
    getOwnPropertyDescriptor: (_shadow, key) => {
      const descriptor: PropertyDescriptor | undefined = Reflect.getOwnPropertyDescriptor(client, key);
      if (descriptor === undefined) return undefined;
      if (typeof descriptor.value === 'function' && key !== 'constructor') descriptor.value = wrapped(key, descriptor.value as AnyFunction);
      // The shadow has no such property, so the Proxy may only report it as configurable.
      descriptor.configurable = true;
      return descriptor;
    },
    getPrototypeOf: () => Reflect.getPrototypeOf(client),
  }) as C;
}

/**
 * A read-only Proxy exposing only `client`'s operations, each as `wrap(key, fn)` (cached); any other
 * property reads as `undefined`.
 *
 * @example
 * ```ts
 * const tryClient = proxyOperations<TryClient<Venue>>(venue, (operation, fn) => (...args) => breaker.tryExecute(() => fn.apply(venue, args)));
 * const result = await tryClient.placeOrder(order); // a TryResult, never a CircuitOpenError
 * ```
 */
export function proxyOperations<T>(client: object, wrap: (key: string, fn: AnyFunction) => AnyFunction): T {
  const cache = new Map<string, { fn: AnyFunction; wrapped: AnyFunction }>();
  const operationOf = (key: PropertyKey): AnyFunction | undefined => {
    const value: unknown = Reflect.get(client, key, client);
    if (typeof value !== 'function' || !isOperationKey(key, value)) return undefined;
    const hit = cache.get(key);
    if (hit !== undefined && hit.fn === value) return hit.wrapped;
    const result = wrap(key, value as AnyFunction);
    cache.set(key, { fn: value as AnyFunction, wrapped: result });
    return result;
  };
  return new Proxy(Object.create(null) as object, {
    get: (_shadow, key) => operationOf(key),
    has: (_shadow, key) => operationOf(key) !== undefined,
    set: () => false,
  }) as T;
}
