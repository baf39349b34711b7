/**
 * `npm run diagram`: regenerates every file `stately.config.json` names from the machine definitions
 * (docs/state-diagram.md and docs/state-diagram.svg), so that no diagram is ever drawn by hand.
 * `test/diagram/drift.test.ts` fails when the committed files differ from what this writes.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateDiagramFiles } from '../src/diagram/generateDiagramFiles.js';
import { readStatelyConfig } from '../src/diagram/StatelyConfig.js';

const rootDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const config = await readStatelyConfig(resolve(rootDir, 'stately.config.json'));
for (const file of await generateDiagramFiles(config, rootDir)) {
  const before = await readFile(file.path, 'utf8').catch(() => undefined);
  await mkdir(dirname(file.path), { recursive: true });
  await writeFile(file.path, file.content);
  console.log(`${before === file.content ? 'unchanged' : 'wrote    '} ${relative(rootDir, file.path)}`);
}
