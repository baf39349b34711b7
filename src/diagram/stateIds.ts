import type { MachineGraph } from './MachineGraph.js';

/**
 * Short identifiers for diagram languages that need plain ids: a state's key where it is unique in the
 * machine, else its path with dots as underscores; characters outside `[A-Za-z0-9_]` become `_`.
 * `anyState` (the pseudo-state for transitions declared on the root) never collides with a state's id.
 *
 * @example
 * ```ts
 * const { idOf, anyState } = stateIds(graph);
 * idOf('open.waiting'); // 'waiting'
 * ```
 */
export function stateIds(graph: MachineGraph): { idOf(path: string): string; readonly anyState: string } {
  const keyCount = new Map<string, number>();
  for (const s of graph.states) keyCount.set(s.key, (keyCount.get(s.key) ?? 0) + 1);
  const ids = new Map<string, string>();
  const taken = new Set<string>();
  for (const s of graph.states) {
    let id = sanitize(keyCount.get(s.key) === 1 ? s.key : s.path);
    while (taken.has(id)) id += '_';
    taken.add(id);
    ids.set(s.path, id);
  }
  let anyState = 'anyState';
  while (taken.has(anyState)) anyState += '_';
  return {
    idOf: (path) => {
      const id = ids.get(path);
      if (id === undefined) throw new Error(`no state ${JSON.stringify(path)} in machine ${graph.id}`);
      return id;
    },
    anyState,
  };
}

function sanitize(name: string): string {
  const id = name.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(id) ? id : `s_${id}`;
}
