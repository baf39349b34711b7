import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** The repository root (this file lives in bench/). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Folders emitted for the benchmark: the library, its machine, and the benchmark itself. */
const EMITTED_DIRS = ['src', 'machines', 'bench'];

/**
 * Emits every `.ts` file under src/, machines/ and bench/ the way `npm run build` does (the TypeScript
 * compiler, target ES2022, one file at a time) into `node_modules/.cache/p99-breaker-bench/<content hash>/`
 * and returns that folder; an unchanged tree is reused. Imports keep working because the layout is kept
 * and the folder sits under the repository's node_modules.
 *
 * Why: tsx transforms TypeScript with esbuild's `keepNames`, which wraps every function created at run
 * time in `__name(fn, "…")` — an `Object.defineProperty` per closure. The peers come from node_modules as
 * plain JavaScript and tsx leaves them alone, so benchmarking our sources through tsx would charge us a
 * cost that no user of the published package pays (it made a closed `tryExecute` cost 1.1 µs instead of
 * 0.3 µs). tsx only hosts the entry point; everything measured runs as emitted JavaScript.
 *
 * @example
 * ```ts
 * const root = compileForBench();
 * const { runBench } = await import(pathToFileURL(join(root, 'bench/runBench.js')).href);
 * ```
 */
export function compileForBench(): string {
  const files = EMITTED_DIRS.flatMap((dir) => listTs(join(repoRoot, dir)));
  const hash = createHash('sha256').update(ts.version);
  const sources = files.map((file) => {
    const text = readFileSync(file, 'utf8');
    hash.update(relative(repoRoot, file)).update('\0').update(text).update('\0');
    return { file, text };
  });
  const out = join(repoRoot, 'node_modules', '.cache', 'p99-breaker-bench', hash.digest('hex').slice(0, 16));
  if (existsSync(join(out, '.complete'))) return out;
  const compilerOptions: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    verbatimModuleSyntax: true,
    isolatedModules: true,
  };
  for (const { file, text } of sources) {
    const { outputText } = ts.transpileModule(text, { compilerOptions, fileName: file });
    const target = join(out, relative(repoRoot, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, outputText);
  }
  writeFileSync(join(out, 'package.json'), '{ "type": "module" }\n');
  writeFileSync(join(out, '.complete'), '');
  return out;
}

function listTs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return listTs(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}
