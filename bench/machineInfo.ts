import { readFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';

/** Where and when the numbers were taken. */
export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  readonly v8: string;
  readonly date: string;
  /** 1-minute load average when the run started and ended. */
  readonly loadAtStart: number;
  loadAtEnd: number;
}

/**
 * Reads the machine description: the CPU model from /proc/cpuinfo (falling back to `os.cpus()`), cores,
 * Node and V8 versions, the date, and the load average (a loaded machine makes every number noisier).
 *
 * @example
 * ```ts
 * const machine = machineInfo();
 * machine.cpuModel; // 'Intel(R) Xeon(R) Processor'
 * ```
 */
export function machineInfo(): MachineInfo {
  let cpuModel = cpus()[0]?.model ?? 'unknown';
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('model name'));
    if (line !== undefined) cpuModel = line.slice(line.indexOf(':') + 1).trim();
  } catch {
    // not Linux: os.cpus() it is
  }
  return {
    cpuModel,
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${platform()} ${release()}`,
    node: process.version,
    v8: process.versions.v8,
    date: new Date().toISOString(),
    loadAtStart: loadavg()[0]!,
    loadAtEnd: Number.NaN,
  };
}

/** Marks the end of the run (the load average then). */
export function finishMachineInfo(machine: MachineInfo): void {
  machine.loadAtEnd = loadavg()[0]!;
}
