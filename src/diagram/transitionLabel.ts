import type { TransitionInfo, TransitionTrigger } from './MachineGraph.js';

/**
 * What fires a transition, as drawn on an edge: `WINDOW_UPDATED`, `after(backoff)`, `after(500ms)`,
 * `always`, `done(healthCheck)`, `error(healthCheck)`.
 *
 * @example
 * ```ts
 * triggerLabel({ kind: 'after', delay: 'backoff' }); // 'after(backoff)'
 * ```
 */
export function triggerLabel(trigger: TransitionTrigger): string {
  switch (trigger.kind) {
    case 'event':
      return trigger.eventType;
    case 'after':
      return typeof trigger.delay === 'number' ? `after(${trigger.delay}ms)` : `after(${trigger.delay})`;
    case 'always':
      return 'always';
    case 'done':
      return `done(${trigger.src})`;
    case 'error':
      return `error(${trigger.src})`;
    case 'stateDone':
      return 'done';
  }
}

/**
 * An edge's label: trigger, then the guard in brackets (`[else]` for the fallback after guarded
 * candidates), then `(reenter)` when the target is re-entered.
 *
 * @example
 * ```ts
 * transitionLabel(graph.transitions[0]!); // 'WINDOW_UPDATED [failureStreakReached]'
 * ```
 */
export function transitionLabel(transition: TransitionInfo): string {
  return [triggerLabel(transition.trigger), guardLabel(transition), transition.reenter ? '(reenter)' : '']
    .filter((part) => part !== '')
    .join(' ');
}

/**
 * A transition's guard as drawn on its edge: `[p99Exceeded]`, `[else]` for the fallback after guarded
 * candidates, or `''` when the transition is unguarded.
 *
 * @example
 * ```ts
 * guardLabel({ ...transition, guard: 'p99Exceeded' });           // '[p99Exceeded]'
 * guardLabel({ ...transition, guard: null, otherwise: true });    // '[else]'
 * guardLabel({ ...transition, guard: null, otherwise: false });   // ''
 * ```
 */
export function guardLabel(transition: TransitionInfo): string {
  if (transition.guard !== null) return `[${transition.guard}]`;
  return transition.otherwise ? '[else]' : '';
}
