/**
 * Internal: how a wrapped client's operation error travels through a breaker's `isFailure` with the
 * operation's name and the business-rejection verdict attached, so that the breaker counts it right
 * (`counts.businessRejected`) while the caller gets the original error back, untouched.
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

/** Marks `breaker` as one whose `isFailure` came from {@link failurePredicate}. */
export function markUnderstandsOperationFailures(breaker: object): void {
  understanding.add(breaker);
}

/** True when `breaker`'s `isFailure` unwraps {@link OperationFailure}. */
export function understandsOperationFailures(breaker: object): boolean {
  return understanding.has(breaker);
}

/**
 * The `isFailure` for a breaker that trading clients may share: a tagged business rejection is not a
 * failure; any other error is judged by the user's `isFailure` (every error by default). `untagged`
 * judges errors of calls made through the breaker directly.
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
