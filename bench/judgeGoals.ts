import type { GoalResult, Section } from './BenchResults.js';
import { NAMES, REFUSED } from './callCandidates.js';
import { FLEET } from './fleetCandidates.js';
import type { HeapAfterCalls } from './memoryBench.js';
import { WINDOW, windowRow } from './windowCandidates.js';

/** Heap growth over the calls, after warm-up, above which memory is judged as growing. */
export const HEAP_GROWTH_LIMIT_BYTES = 1024 * 1024;

/**
 * Judges the issue's goals against the measured medians. Overheads are per-round paired medians
 * (candidate − bare in the same round). A goal whose rows are missing is reported with `pass: null`.
 *
 * @example
 * ```ts
 * for (const g of judgeGoals(sections, heap)) console.log(g.pass ? 'PASS' : 'MISS', g.goal);
 * ```
 */
export function judgeGoals(sections: readonly Section[], heap: HeapAfterCalls): GoalResult[] {
  const row = (section: Section['id'], name: string) => sections.find((s) => s.id === section)?.rows.find((r) => r.name === name);
  const overhead = (section: Section['id'], name: string): number => row(section, name)?.overheadNs?.median ?? Number.NaN;
  const perOp = (section: Section['id'], name: string): number => row(section, name)?.nsPerOp.median ?? Number.NaN;
  const goals: GoalResult[] = [];
  const ratioGoal = (id: string, goal: string, ours: string, peer: string, factor: number): void => {
    const a = overhead('closed', ours);
    const b = overhead('closed', peer);
    const value = a / b;
    goals.push({
      id,
      goal,
      measured: `${fmt(a)} ns vs ${factor === 1 ? '' : `${factor} × `}${fmt(b)} ns (${peer}); ratio ${value.toFixed(2)}`,
      value,
      limit: factor,
      pass: Number.isFinite(value) ? value <= factor : null,
    });
  };
  for (const ours of [NAMES.execute, NAMES.tryExecute]) {
    const short = ours === NAMES.execute ? 'execute' : 'tryExecute';
    ratioGoal(`closed-vs-cockatiel/${short}`, `closed-state overhead (${short}) ≤ cockatiel ConsecutiveBreaker's`, ours, NAMES.cockatielConsecutive, 1);
    ratioGoal(`closed-vs-opossum/${short}`, `closed-state overhead (${short}) ≤ 0.3 × opossum's (default options)`, ours, NAMES.opossumTimeout, 0.3);
    ratioGoal(`closed-vs-opossum-no-timeout/${short}`, `closed-state overhead (${short}) ≤ 0.3 × opossum's (timeout: false)`, ours, NAMES.opossumNoTimeout, 0.3);
    ratioGoal(`closed-vs-floor/${short}`, `closed-state overhead (${short}) ≤ 1.5 × the timing-only floor's`, ours, NAMES.floor, 1.5);
  }
  const refused = perOp('refused', REFUSED.tryExecute);
  goals.push({
    id: 'refused-tryExecute',
    goal: 'a refused call through tryExecute ≤ 100 ns',
    measured: `${fmt(refused)} ns per refused call, awaited (of which ${fmt(overhead('refused', REFUSED.tryExecute))} ns above a bare await)`,
    value: refused,
    limit: 100,
    pass: Number.isFinite(refused) ? refused <= 100 : null,
  });
  for (const section of sections.filter((s) => s.id === 'windowUpdate')) {
    for (const r of section.rows.filter((x) => x.name.startsWith(WINDOW.oursUpdate))) {
      const value = r.nsPerOp.median;
      goals.push({ id: `window-update/${r.name}`, goal: `window update ≤ 20 ns per sample (${r.name})`, measured: `${fmt(value)} ns`, value, limit: 20, pass: value <= 20 });
    }
  }
  const read = perOp('windowRead', windowRow(WINDOW.oursRead, 1_000));
  goals.push({ id: 'window-read-1000', goal: 'exact P99 read ≤ 5 µs at 1 000', measured: `${fmt(read)} ns`, value: read, limit: 5_000, pass: Number.isFinite(read) ? read <= 5_000 : null });
  goals.push({
    id: 'heap-bounded',
    goal: `heap after ${heap.calls.toLocaleString('en-US')} calls bounded (growth after warm-up < 1 MiB)`,
    measured: `growth ${(heap.growthBytes / 1024).toFixed(0)} KiB, spread ${(heap.spreadBytes / 1024).toFixed(0)} KiB over ${heap.checkpoints.length} checkpoints`,
    value: heap.growthBytes,
    limit: HEAP_GROWTH_LIMIT_BYTES,
    pass: heap.growthBytes < HEAP_GROWTH_LIMIT_BYTES,
  });
  const fleet = sections.find((s) => s.id === 'fleet');
  const local = row('fleet', FLEET.local)?.overheadNs;
  for (const [name, label] of [
    [FLEET.connected, 'default options'],
    [FLEET.connectedNoDigest, 'digestPeriodMs: 0'],
  ] as const) {
    const goal = `closed-path overhead with the fleet connected (${label}) equals the local one within noise`;
    const connected = row('fleet', name)?.overheadNs;
    if (fleet?.todo !== undefined || local === undefined || connected === undefined) {
      goals.push({ id: `fleet-equal/${label}`, goal, measured: `TODO: ${fleet?.todo ?? 'not measured'}`, value: Number.NaN, limit: Number.NaN, pass: null });
      continue;
    }
    // Within noise: 10 % of the local overhead. (The rows are interleaved and paired, so their medians
    // move together; the local row's min–max is dominated by preempted rounds and would hide anything.)
    const tolerance = 0.1 * local.median;
    const diff = connected.median - local.median;
    goals.push({
      id: `fleet-equal/${label}`,
      goal,
      measured: `${fmt(connected.median)} ns connected vs ${fmt(local.median)} ns local (difference ${fmt(diff)} ns, noise ±${fmt(tolerance)} ns)`,
      value: diff,
      limit: tolerance,
      pass: Math.abs(diff) <= tolerance,
    });
  }
  return goals;
}

function fmt(ns: number): string {
  if (!Number.isFinite(ns)) return 'n/a';
  return ns >= 100 ? ns.toFixed(0) : ns.toFixed(1);
}
