import { compileLoop } from './compileLoop.js';
import type { Candidate } from './interleave.js';
import {
  createBenchBreaker,
  createCockatielConsecutive,
  createCockatielSampling,
  createOpossum,
  createTimingOnlyWrapper,
  resolvesAtOnce,
  tripCockatiel,
  tripOurs,
} from './peers.js';

/** Names of the per-call candidates, as they appear in the tables and in results.json. */
export const NAMES = {
  bare: 'bare await fn()',
  floor: 'timing-only wrapper (floor)',
  execute: 'p99-breaker execute',
  tryExecute: 'p99-breaker tryExecute',
  cockatielConsecutive: 'cockatiel ConsecutiveBreaker',
  cockatielSampling: 'cockatiel SamplingBreaker',
  opossumNoTimeout: 'opossum timeout:false',
  opossumTimeout: 'opossum default timeout',
} as const;

/**
 * The successful-call candidates in closed state (issue 6, items 1 and 3): each gets its own breaker and
 * its own compiled loop. `kind` picks one-at-a-time calls or batches of `width` concurrent in-flight calls.
 *
 * @example
 * ```ts
 * const results = await interleave(closedPathCandidates('sequential'), { rounds: 10, warmupRounds: 2, batchMs: 20 });
 * ```
 */
export function closedPathCandidates(kind: 'sequential' | 'concurrent', width = 1000): Candidate[] {
  const fn = resolvesAtOnce;
  const ours = createBenchBreaker('bench-execute');
  const oursTry = createBenchBreaker('bench-tryExecute');
  const floor = createTimingOnlyWrapper();
  const consecutive = createCockatielConsecutive();
  const sampling = createCockatielSampling();
  const opossumNoTimeout = createOpossum(false);
  const opossumTimeout = createOpossum(true);
  const minBatch = kind === 'concurrent' ? width : 1;
  const loop = (call: () => unknown): ((n: number) => Promise<unknown>) => {
    const compiled = compileLoop(kind, call, width);
    return (n) => compiled(Math.ceil(n / minBatch) * minBatch);
  };
  return [
    { name: NAMES.bare, batch: loop(() => fn()) },
    { name: NAMES.floor, batch: loop(() => floor.call(fn)) },
    { name: NAMES.execute, batch: loop(() => ours.execute(fn)), teardown: () => ours.dispose() },
    { name: NAMES.tryExecute, batch: loop(() => oursTry.tryExecute(fn)), teardown: () => oursTry.dispose() },
    { name: NAMES.cockatielConsecutive, batch: loop(() => consecutive.execute(fn)) },
    { name: NAMES.cockatielSampling, batch: loop(() => sampling.execute(fn)) },
    { name: NAMES.opossumNoTimeout, batch: loop(() => opossumNoTimeout.fire()), teardown: () => opossumNoTimeout.shutdown() },
    { name: NAMES.opossumTimeout, batch: loop(() => opossumTimeout.fire()), teardown: () => opossumTimeout.shutdown() },
  ];
}

/** Names of the refused-call candidates. */
export const REFUSED = {
  bare: 'bare await fn() (reference)',
  execute: 'p99-breaker execute (throws CircuitOpenError)',
  tryExecute: 'p99-breaker tryExecute (returns { ok: false })',
  cockatiel: 'cockatiel (BrokenCircuitError)',
  opossum: 'opossum (open circuit rejection)',
} as const;

/**
 * The refused-call candidates (issue 6, item 2): every breaker tripped the ordinary way, by failures, and
 * left open for an hour. Each call is awaited and its rejection caught.
 *
 * @example
 * ```ts
 * const results = await interleave(await refusedCandidates(), { rounds: 10, warmupRounds: 2, batchMs: 20 });
 * ```
 */
export async function refusedCandidates(): Promise<Candidate[]> {
  const fn = resolvesAtOnce;
  const ours = createBenchBreaker('bench-open-execute');
  const oursTry = createBenchBreaker('bench-open-tryExecute');
  await tripOurs(ours);
  await tripOurs(oursTry);
  const cockatiel = createCockatielConsecutive();
  await tripCockatiel(cockatiel);
  const opossum = createOpossum(false);
  opossum.open();
  const loop = (call: () => unknown): ((n: number) => Promise<unknown>) => compileLoop('sequential', call);
  const mustStayOpen = (name: string, isOpen: () => boolean) => () => {
    if (!isOpen()) throw new Error(`${name} left the open state during the benchmark; the numbers are void`);
  };
  return [
    { name: REFUSED.bare, batch: loop(() => fn()) },
    {
      name: REFUSED.execute,
      batch: loop(() => ours.execute(fn)),
      teardown: () => {
        mustStayOpen('ours', () => ours.state === 'open')();
        ours.dispose();
      },
    },
    {
      name: REFUSED.tryExecute,
      batch: loop(() => oursTry.tryExecute(fn)),
      teardown: () => {
        mustStayOpen('ours', () => oursTry.state === 'open')();
        oursTry.dispose();
      },
    },
    { name: REFUSED.cockatiel, batch: loop(() => cockatiel.execute(fn)), teardown: mustStayOpen('cockatiel', () => cockatiel.state === 1) },
    {
      name: REFUSED.opossum,
      batch: loop(() => opossum.fire()),
      teardown: () => {
        mustStayOpen('opossum', () => opossum.opened)();
        opossum.shutdown();
      },
    },
  ];
}
