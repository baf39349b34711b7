import type { AnyStateMachine } from 'xstate';
import type { MachineGraph, StateInfo, TransitionInfo, TransitionTrigger } from './MachineGraph.js';

/**
 * The parts of an XState v5 state node the exporter reads. `machine.root` and every `states` entry have
 * them; declared here so that the walk depends on a small, documented surface rather than on internals.
 */
interface StateNodeLike {
  readonly key: string;
  readonly path: readonly string[];
  readonly type: StateInfo['type'];
  readonly description?: string | undefined;
  readonly states: Readonly<Record<string, StateNodeLike>>;
  readonly initial?: { readonly target: readonly StateNodeLike[] } | undefined;
  readonly invoke: readonly { readonly id: string; readonly src: unknown }[];
  readonly transitions: ReadonlyMap<string, readonly TransitionLike[]>;
  readonly always?: readonly TransitionLike[] | undefined;
}

interface TransitionLike {
  readonly eventType: string;
  readonly target?: readonly StateNodeLike[] | undefined;
  readonly guard?: unknown;
  readonly actions?: readonly unknown[] | undefined;
  readonly reenter?: boolean | undefined;
  readonly delay?: unknown;
  readonly description?: string | undefined;
}

/**
 * Walks a machine's state nodes (`machine.root`) into a {@link MachineGraph}: states, initial states,
 * `on`, `after` (named delays or ms), `always`, invoked actors' `onDone`/`onError`, guards with their
 * params (and `and`/`or`/`not`), actions and `reenter`. Nothing is executed: guards, delays and actions
 * are read by name, so a factory machine can be described from a static environment.
 *
 * @example
 * ```ts
 * const graph = describeMachine(createBreakerMachine(staticBreakerEnvironment));
 * graph.states.map((s) => s.path); // ['closed', 'open', 'open.waiting', …]
 * ```
 */
export function describeMachine(machine: AnyStateMachine): MachineGraph {
  const root = machine.root as unknown as StateNodeLike;
  const states: StateInfo[] = [];
  const transitions: TransitionInfo[] = [];
  const visit = (node: StateNodeLike): void => {
    const path = pathOf(node);
    if (node !== root) {
      states.push({
        path,
        key: node.key,
        parent: node.path.length > 1 ? node.path.slice(0, -1).join('.') : null,
        type: node.type,
        initial: initialOf(node),
        description: node.description ?? null,
        invokes: node.invoke.map(srcOf),
      });
    }
    transitions.push(...transitionsOf(node, path));
    for (const child of Object.values(node.states)) visit(child);
  };
  visit(root);
  return { id: machine.id, description: root.description ?? null, states, initial: initialOf(root), transitions };
}

function pathOf(node: StateNodeLike): string {
  return node.path.join('.');
}

function initialOf(node: StateNodeLike): string | null {
  if (node.type !== 'compound') return null;
  const target = node.initial?.target[0];
  return target === undefined ? null : pathOf(target);
}

function srcOf(invoke: { readonly id: string; readonly src: unknown }): string {
  return typeof invoke.src === 'string' ? invoke.src : invoke.id;
}

function transitionsOf(node: StateNodeLike, source: string): TransitionInfo[] {
  const out: TransitionInfo[] = [];
  const addCandidates = (candidates: readonly TransitionLike[], trigger: (t: TransitionLike) => TransitionTrigger): void => {
    let guardedBefore = false;
    for (const t of candidates) {
      const guard = t.guard === undefined ? null : formatGuard(t.guard);
      out.push({
        source,
        targets: (t.target ?? []).map(pathOf),
        trigger: trigger(t),
        guard,
        otherwise: guard === null && guardedBefore,
        actions: (t.actions ?? []).map(formatAction),
        reenter: t.reenter === true,
        description: t.description ?? null,
      });
      if (guard !== null) guardedBefore = true;
    }
  };
  for (const [eventType, candidates] of node.transitions) {
    addCandidates(candidates, (t) => triggerOf(node, eventType, t));
  }
  if (node.always !== undefined && node.always.length > 0) addCandidates(node.always, () => ({ kind: 'always' }));
  return out;
}

function triggerOf(node: StateNodeLike, eventType: string, t: TransitionLike): TransitionTrigger {
  if (eventType.startsWith('xstate.after.') && (typeof t.delay === 'string' || typeof t.delay === 'number')) {
    return { kind: 'after', delay: t.delay };
  }
  for (const [prefix, kind] of [['xstate.done.actor.', 'done'], ['xstate.error.actor.', 'error']] as const) {
    if (!eventType.startsWith(prefix)) continue;
    const invoke = node.invoke.find((i) => eventType === prefix + i.id);
    if (invoke !== undefined) return { kind, src: srcOf(invoke) };
  }
  if (eventType.startsWith('xstate.done.state.')) return { kind: 'stateDone' };
  return { kind: 'event', eventType };
}

/**
 * A guard as written, for labels: its name, its params, and `and`/`or`/`not` spelled out (`p99Exceeded`,
 * `withinLimit(limitMs: 200)`, `and(claimGranted, hasHealthCheck)`, `not(inFleet)`).
 *
 * @example
 * ```ts
 * formatGuard('p99Exceeded');                                  // 'p99Exceeded'
 * formatGuard({ type: 'withinLimit', params: { limitMs: 200 } }); // 'withinLimit(limitMs: 200)'
 * formatGuard(and(['claimGranted', 'hasHealthCheck']));        // 'and(claimGranted, hasHealthCheck)'
 * ```
 */
export function formatGuard(guard: unknown): string {
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'function') {
    const combinator = guard as { name: string; guards?: unknown; stateValue?: unknown };
    if (Array.isArray(combinator.guards)) return `${combinator.name}(${combinator.guards.map(formatGuard).join(', ')})`;
    if (combinator.stateValue !== undefined) return `stateIn(${JSON.stringify(combinator.stateValue)})`;
    return combinator.name === '' ? 'inline' : combinator.name;
  }
  return formatNamed(guard);
}

function formatAction(action: unknown): string {
  if (typeof action === 'string') return action;
  if (typeof action === 'function') {
    const builtIn = action as { name: string; type?: unknown };
    if (typeof builtIn.type === 'string') return builtIn.type;
    return builtIn.name === '' ? 'inline' : builtIn.name;
  }
  return formatNamed(action);
}

function formatNamed(value: unknown): string {
  if (typeof value !== 'object' || value === null) return String(value);
  const { type, params } = value as { type?: unknown; params?: unknown };
  const name = typeof type === 'string' ? type : 'inline';
  if (params === undefined) return name;
  if (typeof params === 'function') return `${name}(…)`;
  if (typeof params === 'object' && params !== null && !Array.isArray(params)) {
    const entries = Object.entries(params).map(([k, v]) => `${k}: ${JSON.stringify(v)}`);
    return `${name}(${entries.join(', ')})`;
  }
  return `${name}(${JSON.stringify(params)})`;
}
