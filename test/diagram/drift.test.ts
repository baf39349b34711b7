import { readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateDiagramFiles, type GeneratedFile } from '../../src/diagram/generateDiagramFiles.js';
import { readStatelyConfig } from '../../src/diagram/StatelyConfig.js';

const rootDir = resolve(import.meta.dirname, '../..');

/** The generated files whose committed copy differs (or is missing), with the command that fixes it. */
async function staleFiles(files: readonly GeneratedFile[]): Promise<string[]> {
  const stale: string[] = [];
  for (const file of files) {
    const committed = await readFile(file.path, 'utf8').catch(() => undefined);
    if (committed !== file.content) stale.push(relative(rootDir, file.path));
  }
  return stale;
}

const message = (stale: string[]) =>
  `${stale.join(', ')} ${stale.length === 1 ? 'is' : 'are'} out of date with the machine definition: run \`npm run diagram\` and commit the result.`;

describe('generated state diagram', () => {
  it('docs/state-diagram.md and docs/state-diagram.svg match the machine definition (else: npm run diagram)', async () => {
    const files = await generateDiagramFiles(await readStatelyConfig(resolve(rootDir, 'stately.config.json')), rootDir);
    expect(files.map((f) => relative(rootDir, f.path))).toEqual(['docs/state-diagram.md', 'docs/state-diagram.svg']);
    const stale = await staleFiles(files);
    expect(stale, message(stale)).toEqual([]);
  });

  it('reports a file whose committed copy differs, naming the command to run', async () => {
    const files = await generateDiagramFiles(await readStatelyConfig(resolve(rootDir, 'stately.config.json')), rootDir);
    const tampered = files.map((f) => (f.path.endsWith('.md') ? { ...f, content: f.content.replace('p99Exceeded', 'p98Exceeded') } : f));
    const stale = await staleFiles(tampered);
    expect(stale).toEqual(['docs/state-diagram.md']);
    expect(message(stale)).toContain('npm run diagram');
  });

  it('links the Mermaid page to the SVG and shows every edge label with guard and delay', async () => {
    const markdown = await readFile(resolve(rootDir, 'docs/state-diagram.md'), 'utf8');
    expect(markdown).toContain('```mermaid\nstateDiagram-v2\n');
    expect(markdown).toContain('](state-diagram.svg)');
    expect(markdown).toContain('closed --> open : WINDOW_UPDATED [p99Exceeded]');
    expect(markdown).toContain('after(backoff)');
  });
});
