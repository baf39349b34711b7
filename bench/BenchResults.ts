import type { MachineInfo } from './machineInfo.js';
import type { BenchMode } from './benchModes.js';
import type { HeapAfterCalls, PerInstanceMemory } from './memoryBench.js';
import type { Summary } from './summarize.js';

/** One measured candidate. */
export interface Row {
  readonly name: string;
  /** ns per operation (per call, per sample, per read). */
  readonly nsPerOp: Summary;
  /** ns per operation above the section's baseline, from per-round paired differences. */
  readonly overheadNs?: Summary;
  /** Operations per timed batch (calibrated). */
  readonly batchSize: number;
}

/** A table of candidates measured together (interleaved). */
export interface Section {
  readonly id: 'closed' | 'concurrent' | 'refused' | 'windowUpdate' | 'windowRead' | 'fleet';
  readonly title: string;
  /** The row overheads are measured against, if any. */
  readonly baseline?: string;
  readonly rows: readonly Row[];
  /** Set when the section could not be measured (the rows are then empty). */
  readonly todo?: string;
}

/** A goal from the issue, judged. */
export interface GoalResult {
  readonly id: string;
  readonly goal: string;
  /** What was compared, in words and numbers. */
  readonly measured: string;
  readonly value: number;
  readonly limit: number;
  /** `null` when it could not be measured. */
  readonly pass: boolean | null;
}

/** Everything a run produced: what results.json holds and results.md renders. */
export interface BenchResults {
  readonly mode: BenchMode;
  readonly machine: MachineInfo;
  readonly sharedMachine: boolean;
  /** How the measured code was built. */
  readonly build: string;
  readonly durationS: number;
  readonly sections: readonly Section[];
  readonly memory: { readonly perInstance: readonly PerInstanceMemory[]; readonly afterCalls: HeapAfterCalls };
  readonly goals: readonly GoalResult[];
}
