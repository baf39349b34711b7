import { describe, expect, it } from 'vitest';
import { benchConfig } from '../../bench/benchModes.js';
import { NAMES, REFUSED } from '../../bench/callCandidates.js';
import { FLEET } from '../../bench/fleetCandidates.js';
import { renderGoalLines, renderResults } from '../../bench/renderResults.js';
import { runBench } from '../../bench/runBench.js';
import { WINDOW, windowRow } from '../../bench/windowCandidates.js';

// Runs every code path of `npm run bench` in smoke mode (tiny batches). Timings are never asserted: only
// that each section measured what it claims, and that the report renders every goal.
describe('npm run bench, smoke mode', () => {
  it('measures every candidate of every section and judges every goal', async () => {
    const config = benchConfig('smoke');
    const results = await runBench(config, { build: 'vitest transform' });
    const names = (id: string) => results.sections.find((s) => s.id === id)?.rows.map((r) => r.name) ?? [];

    expect(names('closed')).toEqual(Object.values(NAMES));
    expect(names('concurrent')).toEqual(Object.values(NAMES));
    expect(names('refused')).toEqual(Object.values(REFUSED)); // its teardown also checked the breakers stayed open
    for (const size of config.windowSizes) {
      expect(names('windowUpdate')).toContain(windowRow(WINDOW.oursUpdate, size));
      expect(names('windowRead')).toContain(windowRow(WINDOW.oursRead, size));
      expect(names('windowRead')).toContain(windowRow(WINDOW.naiveRead, size));
    }
    const fleet = results.sections.find((s) => s.id === 'fleet')!;
    if (fleet.todo === undefined) expect(names('fleet')).toEqual(Object.values(FLEET));
    else expect(fleet.todo.length).toBeGreaterThan(0);

    for (const section of results.sections) {
      for (const row of section.rows) {
        expect(row.nsPerOp.n, `${section.id}: ${row.name}`).toBe(config.callRounds);
        expect(row.nsPerOp.median, `${section.id}: ${row.name}`).toBeGreaterThan(0);
        expect(row.batchSize).toBeGreaterThanOrEqual(1);
        if (section.baseline !== undefined) expect(Number.isFinite(row.overheadNs?.median)).toBe(true);
      }
    }

    expect(results.memory.perInstance.map((r) => r.instances)).toEqual([config.memoryInstances, config.memoryInstances, config.memoryInstances]);
    expect(results.memory.afterCalls.calls).toBe(config.heapCalls);
    expect(results.memory.afterCalls.checkpoints.at(-1)![0]).toBe(config.heapCalls);

    const ids = results.goals.map((g) => g.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'closed-vs-cockatiel/execute',
        'closed-vs-opossum/execute',
        'closed-vs-floor/execute',
        'refused-tryExecute',
        'window-read-1000',
        'heap-bounded',
        'fleet-equal/default options',
      ]),
    );
    for (const size of config.windowSizes) expect(ids).toContain(`window-update/${windowRow(WINDOW.oursUpdate, size)}`);
    for (const goal of results.goals) {
      if (goal.id.startsWith('fleet-equal') && fleet.todo !== undefined) expect(goal.pass).toBeNull();
      else expect(typeof goal.pass, goal.id).toBe('boolean');
    }

    const lines = renderGoalLines(results.goals);
    expect(lines).toHaveLength(results.goals.length);
    for (const line of lines) expect(line).toMatch(/^(PASS|MISS|TODO) /);
    const markdown = renderResults(results, '## Findings\n\nby hand');
    expect(markdown).toContain(results.machine.cpuModel);
    expect(markdown).toContain(results.machine.node);
    for (const goal of results.goals) expect(markdown).toContain(goal.goal);
    expect(markdown).toContain('by hand');
    expect(JSON.parse(JSON.stringify(results)).goals).toHaveLength(results.goals.length);
  }, 60_000);
});
