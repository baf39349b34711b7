import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Reads the generated `docs/state-diagram.svg` that ships with the package (found by walking up from this
 * module: `src/inspect/` in the repository, `dist/src/inspect/` once built), or `undefined` when absent.
 *
 * @example
 * ```ts
 * const svg = await findStateDiagramSvg(); // '<?xml …' or undefined
 * ```
 */
export async function findStateDiagramSvg(from: string = dirname(fileURLToPath(import.meta.url))): Promise<string | undefined> {
  let dir = from;
  for (let i = 0; i < 6; i++) {
    const svg = await readFile(join(dir, 'docs', 'state-diagram.svg'), 'utf8').catch(() => undefined);
    if (svg !== undefined) return svg;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}
