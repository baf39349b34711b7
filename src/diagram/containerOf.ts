import type { TransitionInfo } from './MachineGraph.js';

/**
 * The deepest state that strictly contains a transition's source and every target (`''` for the root):
 * where a nested diagram language must declare the edge. A transition between two children of `open`
 * belongs to `open`; one leaving `open`, or re-entering it, belongs to `open`'s parent.
 *
 * @example
 * ```ts
 * containerOf({ source: 'open.waiting', targets: ['open.checkingHealth'], … }); // 'open'
 * containerOf({ source: 'open.checkingHealth', targets: ['open'], … });         // ''
 * ```
 */
export function containerOf(transition: Pick<TransitionInfo, 'source' | 'targets'>): string {
  const targets = transition.targets.length === 0 ? [transition.source] : transition.targets;
  for (const candidate of strictAncestors(transition.source)) {
    if (targets.every((target) => strictAncestors(target).includes(candidate))) return candidate;
  }
  return '';
}

/**
 * The paths of every state that strictly contains `path`, innermost first and ending with the root
 * (`''`); the root itself has none.
 *
 * @example
 * ```ts
 * strictAncestors('open.waiting'); // ['open', '']
 * strictAncestors('');             // []
 * ```
 */
export function strictAncestors(path: string): string[] {
  if (path === '') return [];
  const parts = path.split('.');
  const out: string[] = [];
  for (let i = parts.length - 1; i >= 0; i--) out.push(parts.slice(0, i).join('.'));
  return out;
}
