import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { CircuitBreaker } from '../src/breaker/CircuitBreaker.js';
import { createBenchBreaker, createCockatielConsecutive, createOpossum, resolvesAtOnce } from './peers.js';

/** Bytes retained per instance, split the way V8 reports them. */
export interface PerInstanceMemory {
  readonly name: string;
  readonly instances: number;
  /** JS heap (objects, closures, the XState actor…). */
  readonly heapBytes: number;
  /** ArrayBuffer backing stores outside the JS heap (the window's typed arrays). */
  readonly arrayBufferBytes: number;
  readonly totalBytes: number;
}

/** The heap of one breaker sampled while it serves calls. */
export interface HeapAfterCalls {
  readonly calls: number;
  /** `[calls so far, heapUsed + arrayBuffers bytes after a full GC]`, at evenly spaced checkpoints. */
  readonly checkpoints: ReadonlyArray<readonly [number, number]>;
  /** Last checkpoint minus the first one after warm-up (the second), in bytes. */
  readonly growthBytes: number;
  /** Largest minus smallest checkpoint after warm-up, in bytes. */
  readonly spreadBytes: number;
}

/** A full GC, then what is retained. Uses `gc` from `node --expose-gc` (npm run bench), else enables it. */
export function retainedBytes(): { heap: number; arrayBuffers: number } {
  const gc = fullGc();
  gc();
  gc();
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed, arrayBuffers: usage.arrayBuffers };
}

/**
 * Memory per instance: creates `instances` of each kind, keeps them alive, collects, and divides the
 * growth by the count (issue 6, item 5). Our breaker with defaults (window 1 000), and the peers for scale.
 *
 * @example
 * ```ts
 * const rows = memoryPerInstance(1000);
 * ```
 */
export function memoryPerInstance(instances: number): PerInstanceMemory[] {
  const kinds: Array<{ name: string; create: (i: number) => unknown; dispose: (x: unknown) => void }> = [
    { name: 'p99-breaker (window 1 000)', create: (i) => createBenchBreaker(`mem-${i}`), dispose: (x) => (x as CircuitBreaker).dispose() },
    { name: 'cockatiel ConsecutiveBreaker', create: () => createCockatielConsecutive(), dispose: () => {} },
    { name: 'opossum', create: () => createOpossum(false), dispose: (x) => (x as ReturnType<typeof createOpossum>).shutdown() },
  ];
  return kinds.map((kind) => {
    const before = retainedBytes();
    const kept: unknown[] = new Array(instances);
    for (let i = 0; i < instances; i++) kept[i] = kind.create(i);
    const after = retainedBytes();
    for (const x of kept) kind.dispose(x);
    const heapBytes = (after.heap - before.heap) / instances;
    const arrayBufferBytes = (after.arrayBuffers - before.arrayBuffers) / instances;
    return { name: kind.name, instances, heapBytes, arrayBufferBytes, totalBytes: heapBytes + arrayBufferBytes };
  });
}

/**
 * Runs `calls` successful calls through one breaker's `execute` and samples the retained heap at
 * `checkpoints` evenly spaced points: a window of fixed capacity and an in-flight ring that drains should
 * keep it flat however many calls go through.
 *
 * @example
 * ```ts
 * const { growthBytes } = await heapAfterCalls(1_000_000, 10);
 * ```
 */
export async function heapAfterCalls(calls: number, checkpoints: number): Promise<HeapAfterCalls> {
  const breaker = createBenchBreaker('mem-calls');
  const fn = resolvesAtOnce;
  const points: Array<readonly [number, number]> = [];
  const sample = (done: number): void => {
    const r = retainedBytes();
    points.push([done, r.heap + r.arrayBuffers]);
  };
  sample(0);
  const step = Math.ceil(calls / checkpoints);
  let done = 0;
  while (done < calls) {
    const n = Math.min(step, calls - done);
    for (let i = 0; i < n; i++) await breaker.execute(fn);
    done += n;
    sample(done);
  }
  if (breaker.stats().counts.succeeded !== calls) throw new Error('heapAfterCalls: not every call was counted');
  breaker.dispose();
  const afterWarmup = points.slice(1).map((p) => p[1]);
  return {
    calls,
    checkpoints: points,
    growthBytes: afterWarmup[afterWarmup.length - 1]! - afterWarmup[0]!,
    spreadBytes: Math.max(...afterWarmup) - Math.min(...afterWarmup),
  };
}

let cachedGc: (() => void) | undefined;
function fullGc(): () => void {
  if (cachedGc !== undefined) return cachedGc;
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return (cachedGc = exposed);
  // Not started with --expose-gc (a test worker): turn the flag on and fetch gc from a fresh context.
  setFlagsFromString('--expose-gc');
  return (cachedGc = runInNewContext('gc') as () => void);
}
