/**
 * `npm run bench` — the side-by-side benchmark of issue 6 (`-- --quick` for a run under a minute,
 * `-- --shared` to mark the machine as shared in the report, `-- --render` to rewrite bench/results.md
 * from bench/results.json and bench/findings.md without measuring). Compiles the library and the benchmark as
 * `npm run build` would (see compileForBench.ts for why not through tsx), runs everything in this
 * process, prints PASS/MISS per goal, and writes bench/results.md and bench/results.json (not in smoke mode).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BenchMode } from './benchModes.js';
import { compileForBench, repoRoot } from './compileForBench.js';

const args = process.argv.slice(2);
const FLAGS = new Set(['--quick', '--smoke', '--shared', '--render', '--help', '-h']);
const unknown = args.filter((a) => !FLAGS.has(a));
if (args.includes('--help') || args.includes('-h') || unknown.length > 0) {
  if (unknown.length > 0) console.error(`unknown option(s): ${unknown.join(' ')}\n`);
  console.log(`Usage: npm run bench [-- options]

  (none)     full run (~1 minute): writes bench/results.md and bench/results.json
  --quick    quick run (~10 s of measuring); prints the tables and goals, writes nothing
  --smoke    tiny run that only proves every section works (used by the tests)
  --shared   mark the machine as shared in the results
  --render   rewrite bench/results.md from bench/results.json and bench/findings.md, without measuring
  --help     this text`);
  process.exit(unknown.length > 0 ? 2 : 0);
}
const mode: BenchMode = args.includes('--smoke') ? 'smoke' : args.includes('--quick') ? 'quick' : 'full';
const shared = args.includes('--shared');

const root = compileForBench();
const load = async <M>(path: string): Promise<M> => (await import(pathToFileURL(join(root, path)).href)) as M;
const { benchConfig } = await load<typeof import('./benchModes.js')>('bench/benchModes.js');
const { runBench } = await load<typeof import('./runBench.js')>('bench/runBench.js');
const { renderGoalLines, renderResults, renderSection } = await load<typeof import('./renderResults.js')>('bench/renderResults.js');
const findingsFile = join(repoRoot, 'bench', 'findings.md');

if (args.includes('--render')) {
  const saved = JSON.parse(readFileSync(join(repoRoot, 'bench', 'results.json'), 'utf8')) as import('./BenchResults.js').BenchResults;
  writeFileSync(join(repoRoot, 'bench', 'results.md'), renderResults(saved, readFileSync(findingsFile, 'utf8')));
  console.log('Rewrote bench/results.md from bench/results.json and bench/findings.md.');
  process.exit(0);
}

const results = await runBench(benchConfig(mode), {
  log: (line) => console.error(`[bench ${mode}] ${line}`),
  build: 'src/, machines/ and bench/ emitted by the TypeScript compiler (target ES2022), as `npm run build` does; tsx hosts only bench/run.ts',
  shared,
});

for (const section of results.sections) console.log(renderSection(section));
console.log('Goals:');
for (const line of renderGoalLines(results.goals)) console.log(`  ${line}`);

// Only a full run replaces the committed results: quick and smoke runs are for looking, not for quoting.
if (mode === 'full') {
  const findings = readFileSync(findingsFile, 'utf8');
  writeFileSync(join(repoRoot, 'bench', 'results.md'), renderResults(results, findings));
  writeFileSync(join(repoRoot, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nWrote bench/results.md and bench/results.json (${results.durationS.toFixed(0)} s).`);
}
