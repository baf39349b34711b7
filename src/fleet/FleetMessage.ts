import type { BreakerState } from '../breaker/BreakerState.js';
import type { TransitionReason } from '../breaker/TransitionReason.js';

/**
 * One message on a fleet's channel: a breaker's state as decided for the whole fleet. `epoch` and
 * `version` are stamped by Redis (a counter per data set), so every receiver orders messages the same way.
 * Deadlines travel as `remainingMs`, a duration the receiver adds to its own clock; `until` is the sender's
 * clock reading, for logs only (see `docs/fleet.md`, "Clock skew").
 *
 * @example
 * ```ts
 * const message: FleetMessage = {
 *   epoch: '9f2c', version: 7, fleet: 'order-router', breaker: 'binance', instance: 'host-a:412',
 *   session: '5e0c41d2', from: 'closed', to: 'open', reason: { trigger: 'consecutiveFailures', value: 5, threshold: 5 },
 *   until: 1718000030000, remainingMs: 30000,
 * };
 * ```
 */
export type FleetMessage = {
  readonly epoch: string;
  readonly version: number;
  readonly fleet: string;
  readonly breaker: string;
  readonly instance: string;
  /** The sending connection's random id: tells a process's own messages from those of its previous life. */
  readonly session: string;
  readonly from: BreakerState;
  readonly reason: TransitionReason;
} & (
  | { readonly to: 'open'; readonly until: number; readonly remainingMs: number }
  | { readonly to: 'closed'; readonly until: null; readonly remainingMs: null }
);

/**
 * Why {@link parseFleetMessage} refused a message.
 *
 * @example
 * ```ts
 * const why: FleetMessageRejection = 'otherFleet';
 * ```
 */
export type FleetMessageRejection = 'malformed' | 'otherFleet';

const STATES = new Set<string>(['closed', 'open', 'halfOpen', 'disabled']);

/**
 * Validates a raw channel message. Returns the message, or why it is ignored: `'malformed'` (not JSON, a
 * missing or mistyped field) or `'otherFleet'` (a valid message of another fleet).
 *
 * @example
 * ```ts
 * const parsed = parseFleetMessage(raw, 'order-router');
 * if (typeof parsed === 'string') stats.ignored[parsed]++;
 * ```
 */
export function parseFleetMessage(raw: string, fleet: string): FleetMessage | FleetMessageRejection {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return 'malformed';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'malformed';
  const m = value as Record<string, unknown>;
  const nonEmpty = (x: unknown): x is string => typeof x === 'string' && x.length > 0;
  if (!nonEmpty(m.epoch) || !nonEmpty(m.fleet) || !nonEmpty(m.breaker) || !nonEmpty(m.instance) || !nonEmpty(m.session)) return 'malformed';
  if (typeof m.version !== 'number' || !Number.isSafeInteger(m.version) || m.version < 1) return 'malformed';
  if (typeof m.from !== 'string' || !STATES.has(m.from)) return 'malformed';
  const reason = m.reason as { trigger?: unknown } | null;
  if (typeof reason !== 'object' || reason === null || typeof reason.trigger !== 'string') return 'malformed';
  if (m.to === 'open') {
    if (typeof m.remainingMs !== 'number' || !Number.isFinite(m.remainingMs) || m.remainingMs <= 0) return 'malformed';
    if (typeof m.until !== 'number' || !Number.isFinite(m.until)) return 'malformed';
  } else if (m.to !== 'closed') {
    return 'malformed';
  }
  if (m.fleet !== fleet) return 'otherFleet';
  return m as unknown as FleetMessage;
}
