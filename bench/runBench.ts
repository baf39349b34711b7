import type { BenchResults, Row, Section } from './BenchResults.js';
import type { BenchConfig } from './benchModes.js';
import { closedPathCandidates, NAMES, REFUSED, refusedCandidates } from './callCandidates.js';
import { FLEET, fleetCandidates } from './fleetCandidates.js';
import { interleave, overheadOver, type CandidateResult, type InterleaveOptions } from './interleave.js';
import { judgeGoals } from './judgeGoals.js';
import { finishMachineInfo, machineInfo } from './machineInfo.js';
import { heapAfterCalls, memoryPerInstance } from './memoryBench.js';
import { windowCandidates } from './windowCandidates.js';

/** Options of a run besides the mode's knobs. */
export interface RunOptions {
  /** Progress lines (to stderr in the CLI). */
  readonly log?: (line: string) => void;
  /** How the measured code was built, for the report. */
  readonly build?: string;
  /** Say in the report that the machine was shared even if the load average did not show it. */
  readonly shared?: boolean;
}

/**
 * Runs every section of the benchmark (issue 6) in this process and judges the goals. Nothing is written:
 * the caller prints and saves the results.
 *
 * @example
 * ```ts
 * const results = await runBench(benchConfig('quick'), { log: console.error });
 * ```
 */
export async function runBench(config: BenchConfig, options: RunOptions = {}): Promise<BenchResults> {
  const log = options.log ?? (() => {});
  const machine = machineInfo();
  const started = performance.now();
  const calls: InterleaveOptions = { rounds: config.callRounds, warmupRounds: config.callWarmupRounds, batchMs: config.callBatchMs };
  const sections: Section[] = [];

  log('closed path, one call at a time…');
  sections.push(measured('closed', 'Successful call, closed state, one call at a time', NAMES.bare, await interleave(closedPathCandidates('sequential'), calls)));

  log(`closed path, ${config.concurrency} concurrent in-flight calls…`);
  const concurrent = closedPathCandidates('concurrent', config.concurrency);
  sections.push(
    measured('concurrent', `Successful calls, ${config.concurrency.toLocaleString('en-US')} in flight at once (Promise.all batches)`, NAMES.bare, await interleave(concurrent, { ...calls, minBatch: config.concurrency })),
  );

  log('refused calls while open…');
  sections.push(measured('refused', 'Refused call while open', REFUSED.bare, await interleave(await refusedCandidates(), calls)));

  log('fleet connected…');
  const fleet = await fleetCandidates();
  if (fleet.available) {
    try {
      sections.push(measured('fleet', 'Closed-path overhead with the fleet connected (real redis-server)', FLEET.bare, await interleave(fleet.candidates, calls)));
    } finally {
      await fleet.close();
    }
  } else {
    sections.push({ id: 'fleet', title: 'Closed-path overhead with the fleet connected', rows: [], todo: fleet.why });
  }

  log('latency window…');
  const window = windowCandidates(config.windowSizes);
  const windowOptions: InterleaveOptions = { rounds: config.windowRounds, warmupRounds: config.windowWarmupRounds, batchMs: config.windowBatchMs };
  sections.push(measured('windowUpdate', 'Latency window: update cost per sample (window full, so every update evicts)', undefined, await interleave(window.updates, windowOptions)));
  sections.push(measured('windowRead', 'Latency window: P99 read cost (window full)', undefined, await interleave(window.reads, windowOptions)));

  log('memory per instance…');
  const perInstance = memoryPerInstance(config.memoryInstances);
  log(`heap over ${config.heapCalls.toLocaleString('en-US')} calls…`);
  const afterCalls = await heapAfterCalls(config.heapCalls, config.heapCheckpoints);

  finishMachineInfo(machine);
  const sharedMachine = options.shared === true || Math.max(machine.loadAtStart, machine.loadAtEnd) > 0.3 * machine.cores;
  return {
    mode: config.mode,
    machine,
    sharedMachine,
    build: options.build ?? 'as imported',
    durationS: (performance.now() - started) / 1000,
    sections,
    memory: { perInstance, afterCalls },
    goals: judgeGoals(sections, afterCalls),
  };
}

function measured(id: Section['id'], title: string, baseline: string | undefined, results: CandidateResult[]): Section {
  const base = baseline === undefined ? undefined : results.find((r) => r.name === baseline);
  const rows: Row[] = results.map((r) => ({
    name: r.name,
    nsPerOp: r.nsPerOp,
    ...(base === undefined ? {} : { overheadNs: overheadOver(r, base) }),
    batchSize: r.batchSize,
  }));
  return { id, title, ...(baseline === undefined ? {} : { baseline }), rows };
}

