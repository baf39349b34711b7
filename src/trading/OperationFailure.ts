/**
 * Internal: how a wrapped client's operation error travels through a breaker's `isFailure` with the
 * operation's name and the business-rejection verdict attached, so that the breaker counts it right
 * (`counts.businessRejected`) while the caller gets the original error back, untouched.
 *
 * @example
 * ```ts
 * const failure = new OperationFailure(rejection, 'placeOrder', true);
 * failurePredicate(undefined)(failure); // false: a business rejection is not a failure
 * ```
 */
export class OperationFailure {
  constructor(
    readonly error: unknown,
    readonly operation: string,
    readonly business: boolean,
  ) {}
}

/** Breakers whose `isFailure` unwraps {@link OperationFailure} (created here or by a BreakerRegistry). */
const understanding = new WeakSet<object>();

/**
 * Marks `breaker` as one whose `isFailure` came from {@link failurePredicate}.
 *
 * @example
 * ```ts
 * const breaker = createCircuitBreaker({ name: 'venue', isFailure: failurePredicate(undefined) });
 * markUnderstandsOperationFailures(breaker);
 * understandsOperationFailures(breaker); // true
 * ```
 */
export function markUnderstandsOperationFailures(breaker: object): void {
  understanding.add(breaker);
}

/**
 * True when `breaker` was marked by {@link markUnderstandsOperationFailures}: its `isFailure` unwraps
 * {@link OperationFailure}.
 *
 * @example
 * ```ts
 * understandsOperationFailures(createCircuitBreaker({ name: 'venue' })); // false
 * ```
 */
export function understandsOperationFailures(breaker: object): boolean {
  return understanding.has(breaker);
}

/**
 * The `isFailure` for a breaker that trading clients may share: a tagged business rejection is not a
 * failure; any other error is judged by the user's `isFailure` (every error by default). `untaggedBusiness`
 * judges errors of calls made through the breaker directly (defaults to "never a business rejection").
 *
 * @example
 * ```ts
 * const isFailure = failurePredicate((e) => !(e instanceof ValidationError));
 * isFailure(new OperationFailure(rejection, 'placeOrder', true));     // false
 * isFailure(new OperationFailure(new Error('502'), 'placeOrder', false)); // true
 * ```
 */
export function failurePredicate(
  isFailure: ((error: unknown) => boolean) | undefined,
  untaggedBusiness: (error: unknown) => boolean = () => false,
): (error: unknown) => boolean {
  return (error) => {
    if (error instanceof OperationFailure) {
      if (error.business) return false;
      error = error.error;
    } else if (untaggedBusiness(error)) return false;
    return isFailure === undefined ? true : isFailure(error);
  };
}
