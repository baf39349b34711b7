import type { ManualControl } from './CircuitBreaker.js';

/**
 * Who and why when a manual control is used without saying: `{ by: 'unknown', why: 'unspecified' }`.
 *
 * @example
 * ```ts
 * breaker.forceOpen(); // recorded as forceOpen(UNSPECIFIED_CONTROL)
 * ```
 */
export const UNSPECIFIED_CONTROL: ManualControl = Object.freeze({ by: 'unknown', why: 'unspecified' });

/**
 * Validates a manual control's audit fields: a missing `by` or `why` is recorded as `'unknown'` /
 * `'unspecified'`; anything but strings is refused.
 *
 * @throws TypeError naming the action and the value given.
 * @example
 * ```ts
 * checkControl({ by: 'desk-7' }, 'forceOpen'); // { by: 'desk-7', why: 'unspecified' }
 * ```
 */
export function checkControl(control: Partial<ManualControl>, action: string): ManualControl {
  if (
    typeof control !== 'object' ||
    control === null ||
    (control.by !== undefined && typeof control.by !== 'string') ||
    (control.why !== undefined && typeof control.why !== 'string')
  ) {
    throw new TypeError(`${action} expects { by: string, why: string } for the audit log, got ${JSON.stringify(control)}`);
  }
  return { by: control.by ?? 'unknown', why: control.why ?? 'unspecified' };
}
