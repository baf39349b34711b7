import type { Snapshot } from 'xstate';
import type { BreakerMachine } from '../../machines/breakerMachine.js';
import { ConfigError } from '../errors/ConfigError.js';
import type { BreakerSnapshot } from './BreakerSnapshot.js';

/** A validated snapshot, ready to hand to `createActor`. */
export interface RestorableSnapshot {
  readonly machine: Snapshot<unknown>;
  readonly window: BreakerSnapshot['window'];
}

const TOP_LEVEL_STATES = new Set(['closed', 'open', 'halfOpen', 'forcedOpen', 'disabled']);

/**
 * Checks a snapshot from `breaker.snapshot()` completely before anything is applied: the format and
 * version, the machine state against this machine's states, and the window arrays. A snapshot from an
 * incompatible version or a corrupted one is refused whole, never half-applied.
 *
 * @throws {@link ConfigError} naming `restore` and what is wrong with it.
 * @example
 * ```ts
 * const restorable = restoreSnapshot(JSON.parse(text), machine, 'venue');
 * ```
 */
export function restoreSnapshot(value: unknown, machine: BreakerMachine, name: string): RestorableSnapshot {
  const fail = (expected: string, given: unknown = value): never => {
    throw new ConfigError([{ option: 'restore', value: given, expected }]);
  };
  if (typeof value !== 'object' || value === null) return fail('a snapshot object from breaker.snapshot()');
  const s = value as Partial<BreakerSnapshot>;
  if (s.format !== 'p99-breaker/snapshot') return fail(`format "p99-breaker/snapshot"`, s.format);
  if (s.version !== 1) return fail('snapshot version 1 (this version of p99-breaker)', s.version);
  if (s.name !== undefined && s.name !== name) return fail(`a snapshot of breaker "${name}"`, s.name);
  const m = s.machine as { status?: unknown; value?: unknown; context?: Record<string, unknown> } | undefined;
  if (typeof m !== 'object' || m === null || m.status !== 'active') return fail('an active machine snapshot', m);
  const top = typeof m.value === 'string' ? m.value : typeof m.value === 'object' && m.value !== null ? Object.keys(m.value)[0] : undefined;
  if (top === undefined || !TOP_LEVEL_STATES.has(top)) return fail('a state of this machine', m.value);
  try {
    machine.resolveState({ value: m.value as never, context: m.context as never });
  } catch {
    return fail('a state of this machine', m.value);
  }
  const c = m.context;
  if (typeof c !== 'object' || c === null) return fail('machine context', c);
  if (!Number.isSafeInteger(c.attempt) || (c.attempt as number) < 0) return fail('context.attempt: a non-negative integer', c.attempt);
  if (c.nextAttemptAt !== null && !Number.isFinite(c.nextAttemptAt)) return fail('context.nextAttemptAt: a finite number or null', c.nextAttemptAt);
  if (typeof c.reason !== 'object' || c.reason === null || typeof (c.reason as { trigger?: unknown }).trigger !== 'string') {
    return fail('context.reason with a trigger', c.reason);
  }
  const w = s.window;
  if (typeof w !== 'object' || w === null) return fail('window', w);
  if (!Array.isArray(w.latenciesMs) || !Array.isArray(w.failed) || w.latenciesMs.length !== w.failed.length) {
    return fail('window.latenciesMs and window.failed: arrays of equal length', w);
  }
  if (!w.latenciesMs.every((x) => typeof x === 'number' && x >= 0)) return fail('window.latenciesMs: non-negative numbers', w.latenciesMs);
  if (!w.failed.every((x) => typeof x === 'boolean')) return fail('window.failed: booleans', w.failed);
  if (!Number.isSafeInteger(w.consecutiveFailures) || w.consecutiveFailures < 0) {
    return fail('window.consecutiveFailures: a non-negative integer', w.consecutiveFailures);
  }
  // In-flight work died with the process: no invoked health check or lease claim is resumed (RESUME sends
  // an open breaker back to waiting, which re-plans from the deadline).
  const resumedValue = top === 'open' ? { open: 'waiting' } : m.value;
  return { machine: { ...m, value: resumedValue, children: {} } as unknown as Snapshot<unknown>, window: w };
}
