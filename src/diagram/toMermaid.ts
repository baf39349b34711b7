import { containerOf } from './containerOf.js';
import type { MachineGraph, StateInfo } from './MachineGraph.js';
import { stateIds } from './stateIds.js';
import { transitionLabel } from './transitionLabel.js';

/**
 * Renders a {@link MachineGraph} as a Mermaid `stateDiagram-v2` (GitHub renders it in Markdown).
 * Compound states become composite blocks; each edge is declared in the innermost block that holds both
 * ends; a final state points to `[*]`. Transitions declared on the machine's root (they apply in every state) start from a dashed
 * pseudo-state "any state". A targetless transition is drawn as a self-loop.
 *
 * @example
 * ```ts
 * const mermaid = toMermaid(describeMachine(machine));
 * // stateDiagram-v2
 * //     [*] --> closed
 * //     closed --> open : WINDOW_UPDATED [p99Exceeded]
 * ```
 */
export function toMermaid(graph: MachineGraph): string {
  const { idOf, anyState } = stateIds(graph);
  const lines = ['stateDiagram-v2'];
  const endpoint = (path: string): string => (path === '' ? anyState : idOf(path));

  const writeBlock = (parent: string, initial: string | null, depth: number): void => {
    const pad = '    '.repeat(depth);
    if (initial !== null) lines.push(`${pad}[*] --> ${idOf(initial)}`);
    for (const state of graph.states.filter((s) => s.parent === (parent === '' ? null : parent))) {
      const id = idOf(state.path);
      // A state with invokes shows them under its name (a separate `id : text` line would replace the name).
      const title = [label(state.key), ...state.invokes.map((src) => `invoke ${label(src)}`)].join('<br/>');
      const named = id === state.key && state.invokes.length === 0 ? id : `"${title}" as ${id}`;
      if (hasChildren(graph, state)) {
        lines.push(`${pad}state ${named} {`);
        writeBlock(state.path, state.initial, depth + 1);
        lines.push(`${pad}}`);
      } else {
        lines.push(named === id ? `${pad}${id}` : `${pad}state ${named}`);
      }
      if (state.type === 'final') lines.push(`${pad}${id} --> [*]`);
    }
    if (parent === '' && graph.transitions.some((t) => t.source === '')) {
      lines.push(`${pad}state "any state" as ${anyState}`);
    }
    for (const t of graph.transitions) {
      if (containerOf(t) !== parent) continue;
      const targets = t.targets.length === 0 ? [t.source] : t.targets;
      for (const target of targets) {
        lines.push(`${pad}${endpoint(t.source)} --> ${endpoint(target)} : ${label(transitionLabel(t))}`);
      }
    }
  };

  writeBlock('', graph.initial, 1);
  if (graph.transitions.some((t) => t.source === '')) {
    lines.push('    classDef pseudo fill:#ffffff,stroke-dasharray:4 4', `    class ${anyState} pseudo`);
  }
  return `${lines.join('\n')}\n`;
}

function hasChildren(graph: MachineGraph, state: StateInfo): boolean {
  return graph.states.some((s) => s.parent === state.path);
}

/** Mermaid ends a statement at `;` or a newline and reads `#…;` as an entity: keep labels one plain line. */
function label(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/;/g, ',').replace(/#/g, '♯').replace(/"/g, "'");
}
