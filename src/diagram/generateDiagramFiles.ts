import { dirname, relative, resolve } from 'node:path';
import { describeMachine } from './describeMachine.js';
import { renderSvg } from './renderSvg.js';
import { stateDiagramMarkdown } from './stateDiagramMarkdown.js';
import { loadMachine, type StatelyConfig } from './StatelyConfig.js';
import { toDot } from './toDot.js';

/** A file `npm run diagram` writes: its absolute path and its full content. */
export interface GeneratedFile {
  readonly path: string;
  readonly content: string;
}

/**
 * Builds every file named in `stately.config.json` from the machine definitions, in memory: the
 * Markdown (Mermaid diagram and tables) and the SVG rendered from DOT. `scripts/diagram.ts` writes them;
 * the drift test compares them with the committed files.
 *
 * @example
 * ```ts
 * const files = await generateDiagramFiles(await readStatelyConfig('stately.config.json'), process.cwd());
 * for (const f of files) await writeFile(f.path, f.content);
 * ```
 */
export async function generateDiagramFiles(config: StatelyConfig, rootDir: string): Promise<GeneratedFile[]> {
  const files: GeneratedFile[] = [];
  for (const entry of config.machines) {
    const graph = describeMachine(await loadMachine(entry, rootDir));
    const markdownPath = resolve(rootDir, entry.outputs.markdown);
    const svgPath = resolve(rootDir, entry.outputs.svg);
    files.push({
      path: markdownPath,
      content: stateDiagramMarkdown(graph, {
        source: entry.source,
        exportName: entry.export,
        description: entry.description,
        svgLink: relative(dirname(markdownPath), svgPath).split('\\').join('/'),
      }),
    });
    files.push({ path: svgPath, content: await renderSvg(toDot(graph)) });
  }
  return files;
}
