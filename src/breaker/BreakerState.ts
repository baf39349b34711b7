/**
 * The breaker's public state. `closed`: calls flow. `open`: calls are refused (also while a health check
 * runs, and when forced open). `halfOpen`: a few probe calls are admitted. `disabled`: shadow mode, every
 * call flows and is measured, nothing trips.
 *
 * @example
 * ```ts
 * if (breaker.state === 'open') routeToBackupVenue();
 * ```
 */
export type BreakerState = 'closed' | 'open' | 'halfOpen' | 'disabled';

/**
 * Maps the machine's top-level state to the public one: `forcedOpen` (and `open`) read as `'open'`.
 *
 * @example
 * ```ts
 * publicStateOf('forcedOpen'); // 'open'
 * publicStateOf('halfOpen');   // 'halfOpen'
 * ```
 */
export function publicStateOf(machineState: string): BreakerState {
  switch (machineState) {
    case 'closed':
      return 'closed';
    case 'halfOpen':
      return 'halfOpen';
    case 'disabled':
      return 'disabled';
    default:
      return 'open'; // open.* and forcedOpen
  }
}
