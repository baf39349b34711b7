import type { MachineGraph, StateInfo } from './MachineGraph.js';
import { strictAncestors } from './containerOf.js';
import { transitionLabel } from './transitionLabel.js';

/**
 * The `id` a state's node (or a compound state's cluster) carries in the DOT output and in the SVG.
 *
 * @example
 * ```ts
 * svgIdOf('open.waiting'); // 'state:open.waiting'
 * ```
 */
export function svgIdOf(path: string): string {
  return `state:${path}`;
}

/**
 * Renders a {@link MachineGraph} as a Graphviz DOT digraph. Atomic states are rounded boxes; compound
 * states are clusters with a small dot marking their initial state, which is also where edges to or from
 * the compound state attach (clipped to the cluster's border with `lhead`/`ltail`). Transitions declared on
 * the root start from an "any state" pseudo-node. Every state's node or cluster gets
 * `id="state:<path>"`, so a page can highlight the current state in the rendered SVG.
 *
 * @example
 * ```ts
 * const dot = toDot(describeMachine(machine));
 * const svg = await renderSvg(dot);
 * ```
 */
export function toDot(graph: MachineGraph): string {
  const lines = [
    `digraph ${quote(graph.id)} {`,
    '  graph [compound=true, rankdir=TB, nodesep=0.35, ranksep=0.45, fontname="Helvetica", fontsize=12, labeljust=l, id="statechart"];',
    '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", color="#4a5568", fontname="Helvetica", fontsize=11, margin="0.15,0.06"];',
    '  edge [fontname="Helvetica", fontsize=9, color="#4a5568", fontcolor="#2d3748", arrowsize=0.7];',
  ];
  const isCompound = (path: string): boolean => graph.states.some((s) => s.parent === path);
  const anchorOf = (path: string): string => (path === '' ? '__initial' : `__initial:${path}`);

  const writeStates = (parent: string | null, depth: number): void => {
    const pad = '  '.repeat(depth);
    for (const state of graph.states.filter((s) => s.parent === parent)) {
      if (isCompound(state.path)) {
        lines.push(`${pad}subgraph ${quote(`cluster_${state.path}`)} {`);
        lines.push(`${pad}  id=${quote(svgIdOf(state.path))}; label=${quote(state.key)}; style="rounded"; color="#4a5568";`);
        lines.push(`${pad}  ${quote(anchorOf(state.path))} [shape=point, width=0.1, style=filled, fillcolor="#2d3748", label=""];`);
        if (state.initial !== null) lines.push(`${pad}  ${quote(anchorOf(state.path))} -> ${quote(state.initial)};`);
        writeStates(state.path, depth + 1);
        lines.push(`${pad}}`);
      } else {
        const final = state.type === 'final' ? ', peripheries=2' : '';
        lines.push(`${pad}${quote(state.path)} [id=${quote(svgIdOf(state.path))}, label=${quote(nodeLabel(state))}${final}];`);
      }
    }
  };

  lines.push(`  ${quote(anchorOf(''))} [shape=point, width=0.12, style=filled, fillcolor="#2d3748", label=""];`);
  if (graph.initial !== null) lines.push(`  ${quote(anchorOf(''))} -> ${quote(graph.initial)};`);
  writeStates(null, 1);
  if (graph.transitions.some((t) => t.source === '')) {
    lines.push('  "__any" [id="any-state", label="any state", style="rounded,dashed"];');
  }

  for (const t of graph.transitions) {
    const targets = t.targets.length === 0 ? [t.source] : t.targets;
    for (const target of targets) {
      const attributes = [`label=${quote(transitionLabel(t).replace(' [', '\n['))}`];
      const self = target === t.source;
      let tail = t.source === '' ? '__any' : t.source;
      let head = target;
      if (t.source !== '' && isCompound(t.source)) {
        tail = anchorOf(t.source);
        if (!self && !strictAncestors(target).includes(t.source)) attributes.push(`ltail=${quote(`cluster_${t.source}`)}`);
      }
      if (isCompound(target)) {
        head = anchorOf(target);
        if (!self && !strictAncestors(t.source).includes(target)) attributes.push(`lhead=${quote(`cluster_${target}`)}`);
      }
      if (t.targets.length === 0) attributes.push('style=dashed');
      lines.push(`  ${quote(tail)} -> ${quote(head)} [${attributes.join(', ')}];`);
    }
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

function nodeLabel(state: StateInfo): string {
  return [state.key, ...state.invokes.map((src) => `invoke ${src}`)].join('\n');
}

/** A DOT double-quoted string; `\n` stays a DOT line break. */
function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}
