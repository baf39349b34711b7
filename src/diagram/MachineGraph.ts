/**
 * A statechart flattened into plain data: what the Mermaid and DOT exporters and the transition table
 * draw. {@link describeMachine} builds it from an XState machine's `root` state node.
 *
 * @example
 * ```ts
 * const graph: MachineGraph = describeMachine(machine);
 * graph.transitions.filter((t) => t.source === 'closed').map(transitionLabel);
 * ```
 */
export interface MachineGraph {
  /** The machine's id (`machine.id`). */
  readonly id: string;
  /** The root's `description`: the rule behind the transitions declared on the machine itself. */
  readonly description: string | null;
  /** Every state node except the root, parents before children, in definition order. */
  readonly states: readonly StateInfo[];
  /** The root's initial child's path. */
  readonly initial: string | null;
  /** Every transition, in definition order (a state's transitions in priority order). */
  readonly transitions: readonly TransitionInfo[];
}

/** One state node. */
export interface StateInfo {
  /** Dotted path from the root, e.g. `open.waiting`. */
  readonly path: string;
  /** The key in its parent (`waiting`). */
  readonly key: string;
  /** The parent's path, or null for a top-level state. */
  readonly parent: string | null;
  readonly type: 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  /** Path of the initial child of a compound state, else null. */
  readonly initial: string | null;
  /** The state's `description`, or null. */
  readonly description: string | null;
  /** The `src` of every actor the state invokes (`healthCheck`). */
  readonly invokes: readonly string[];
}

/** What fires a transition. */
export type TransitionTrigger =
  | { readonly kind: 'event'; readonly eventType: string }
  /** A delayed transition: a named delay (`backoff`) or a number of ms. */
  | { readonly kind: 'after'; readonly delay: string | number }
  /** An eventless transition, taken as soon as its guard holds. */
  | { readonly kind: 'always' }
  /** An invoked actor finished (`onDone`). */
  | { readonly kind: 'done'; readonly src: string }
  /** An invoked actor failed (`onError`). */
  | { readonly kind: 'error'; readonly src: string }
  /** A compound state reached its final child (`onDone` of a state). */
  | { readonly kind: 'stateDone' };

/** One transition (one candidate of an event's list). */
export interface TransitionInfo {
  /** The path of the state that declares it; `''` for the root (it applies in every state). */
  readonly source: string;
  /** Target paths; empty for a targetless transition (actions only, the state stays). */
  readonly targets: readonly string[];
  readonly trigger: TransitionTrigger;
  /** The guard as written (`p99Exceeded`, `and(claimGranted, hasHealthCheck)`), or null. */
  readonly guard: string | null;
  /**
   * True for an unguarded candidate that follows guarded ones for the same trigger: it is taken only when
   * none of them holds (drawn as `[else]`).
   */
  readonly otherwise: boolean;
  /** Action names in order, params included (`log(level: "warn")`). */
  readonly actions: readonly string[];
  /** Whether the target is exited and re-entered even when it is the source or its ancestor. */
  readonly reenter: boolean;
  /** The transition's own `description`, or null. */
  readonly description: string | null;
}
