import type { MachineGraph, TransitionInfo } from './MachineGraph.js';
import { strictAncestors } from './containerOf.js';
import { triggerLabel } from './transitionLabel.js';

/**
 * A Markdown table of every transition: from, to, trigger (event, `after(delay)`, `done(actor)`), guard,
 * actions, and the rule behind it — the transition's own `description`, else the description of its source
 * state (or the nearest ancestor that has one), which states the rule its exits follow.
 *
 * @example
 * ```ts
 * transitionTable(describeMachine(machine));
 * // | From | To | Trigger | Guard | Actions | Rule |
 * // | `closed` | `open` | `WINDOW_UPDATED` | `p99Exceeded` | `tripOnP99` | Calls flow. … |
 * ```
 */
export function transitionTable(graph: MachineGraph): string {
  const rows = [
    '| From | To | Trigger | Guard | Actions | Rule |',
    '| --- | --- | --- | --- | --- | --- |',
    ...graph.transitions.map((t) =>
      row([
        t.source === '' ? 'any state' : code(t.source),
        targetCell(t),
        code(triggerLabel(t.trigger)),
        t.guard !== null ? code(t.guard) : t.otherwise ? 'else (none of the above)' : '—',
        t.actions.length === 0 ? '—' : t.actions.map(code).join(', '),
        ruleOf(graph, t),
      ]),
    ),
  ];
  return `${rows.join('\n')}\n`;
}

/**
 * A Markdown table of every state: path, kind, initial child, invoked actors and description.
 *
 * @example
 * ```ts
 * stateTable(describeMachine(machine)); // | State | Kind | Initial | Invokes | Description |
 * ```
 */
export function stateTable(graph: MachineGraph): string {
  const rows = [
    '| State | Kind | Initial | Invokes | Description |',
    '| --- | --- | --- | --- | --- |',
    ...graph.states.map((s) =>
      row([
        code(s.path) + (s.path === graph.initial ? ' (initial)' : ''),
        s.type,
        s.initial === null ? '—' : code(s.initial),
        s.invokes.length === 0 ? '—' : s.invokes.map(code).join(', '),
        s.description ?? '—',
      ]),
    ),
  ];
  return `${rows.join('\n')}\n`;
}

function targetCell(t: TransitionInfo): string {
  if (t.targets.length === 0) return '(stays)';
  return t.targets.map(code).join(', ') + (t.reenter ? ' (re-entered)' : '');
}

function ruleOf(graph: MachineGraph, t: TransitionInfo): string {
  if (t.description !== null) return t.description;
  if (t.source === '') return graph.description ?? '—';
  for (const path of [t.source, ...strictAncestors(t.source)]) {
    const description = graph.states.find((s) => s.path === path)?.description;
    if (description != null) return description;
  }
  return '—';
}

function code(text: string): string {
  return `\`${text}\``;
}

function row(cells: string[]): string {
  return `| ${cells.map((c) => c.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')).join(' | ')} |`;
}
