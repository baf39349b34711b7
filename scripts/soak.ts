/**
 * Soak: drives N calls (default 10 000 000) through scripted latency storms on a simulated clock and
 * checks, exiting non-zero on any violation:
 *   - every call is accounted for: succeeded + failed + rejected + aborted = submitted, and each equals
 *     what the callers saw;
 *   - the state sequence matches the storms: the breaker opens during each storm, is never closed when
 *     a storm ends, closes again after it, and never opens during calm;
 *   - memory stays flat: heap after a forced GC, once warmed up and at the end (needs --expose-gc).
 *
 * Run: npm run soak -- --calls 2000000
 */
import { SimulatedClock } from 'xstate';
import { seededRandom } from '../src/demo/seededRandom.js';
import { createCircuitBreaker, type StateChange } from '../src/index.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  if (i === -1) return fallback;
  const value = Number(args[i + 1]);
  if (!Number.isSafeInteger(value) || value <= 0) {
    console.error(`--${name} expects a positive integer, got ${args[i + 1]}`);
    process.exit(2);
  }
  return value;
};
const CALLS = flag('calls', 10_000_000);
const SEED = flag('seed', 42);

// The script: calm for 5 min, then a 2 min latency storm, repeated. Calls arrive 5 ms apart (simulated).
const CALM_MS = 300_000;
const STORM_MS = 120_000;
const CYCLE_MS = CALM_MS + STORM_MS;
const GAP_MS = 5;
const THRESHOLD_MS = 200;
const MAX_HEAP_GROWTH_BYTES = 16 * 1024 * 1024;

const gc = (globalThis as { gc?: () => void }).gc;
function heapAfterGc(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

const clock = new SimulatedClock();
const rand = seededRandom(SEED);
const jitter = seededRandom(SEED + 1);
const breaker = createCircuitBreaker({
  name: 'soak',
  clock,
  random: jitter,
  latencyThresholdMs: THRESHOLD_MS,
  logger: { info() {}, warn() {}, error() {} },
});
const changes: StateChange[] = [];
breaker.stateChanges$.subscribe((c) => changes.push(c));

const inStorm = (t: number): boolean => t % CYCLE_MS >= CALM_MS;
const error = new Error('venue error');

let submitted = 0;
let sawValue = 0;
let sawError = 0;
let sawRefusal = 0;
const violations: string[] = [];
const violation = (message: string): void => {
  if (violations.length < 20) violations.push(message);
};

/** One call: calm calls take 5–60 ms and fail 0.1 % of the time; storm calls take 250–900 ms and fail 5 %. */
async function oneCall(useExecute: boolean): Promise<void> {
  const storm = inStorm(clock.now());
  const latency = storm ? 250 + rand() * 650 : 5 + rand() * 55;
  const fails = rand() < (storm ? 0.05 : 0.001);
  const operation = (): number => {
    clock.increment(latency);
    if (fails) throw error;
    return 1;
  };
  submitted++;
  if (useExecute) {
    try {
      await breaker.execute(operation);
      sawValue++;
    } catch (e) {
      if (e === error) sawError++;
      else if ((e as Error).name === 'CircuitOpenError') sawRefusal++;
      else violation(`unexpected error from execute: ${String(e)}`);
    }
  } else {
    try {
      const r = await breaker.tryExecute(operation);
      if (r.ok) sawValue++;
      else sawRefusal++;
    } catch (e) {
      if (e === error) sawError++;
      else violation(`unexpected error from tryExecute: ${String(e)}`);
    }
  }
}

const started = performance.now();
const WARMUP = Math.min(CALLS, Math.max(10_000, Math.floor(CALLS / 100)));
let heapBefore = 0;
for (let i = 0; i < CALLS; i++) {
  if (i === WARMUP) heapBefore = heapAfterGc();
  clock.increment(GAP_MS);
  await oneCall(i % 64 === 0); // mostly the refusal-returning hot path, every 64th through execute()
}
const heapAfter = heapAfterGc();
const elapsedS = (performance.now() - started) / 1000;
const simulatedEnd = clock.now();

// ---------------------------------------------------------------- accounting
const c = breaker.stats().counts;
const accounted = c.succeeded + c.failed + c.rejected + c.aborted;
if (accounted !== submitted) violation(`accounting: succeeded ${c.succeeded} + failed ${c.failed} + rejected ${c.rejected} + aborted ${c.aborted} = ${accounted} ≠ submitted ${submitted}`);
if (c.succeeded !== sawValue) violation(`succeeded ${c.succeeded} ≠ values the callers got ${sawValue}`);
if (c.failed !== sawError) violation(`failed ${c.failed} ≠ operation errors the callers got ${sawError}`);
if (c.rejected !== sawRefusal) violation(`rejected ${c.rejected} ≠ refusals the callers got ${sawRefusal}`);
if (breaker.stats().inFlight !== 0) violation(`${breaker.stats().inFlight} calls still in flight at the end`);

// ---------------------------------------------------------------- the state sequence against the script
const stateAt = (t: number): string => {
  let state = 'closed';
  for (const change of changes) {
    if (change.at > t) break;
    state = change.to;
  }
  return state;
};
let stormsChecked = 0;
for (let k = 0; ; k++) {
  const stormStart = k * CYCLE_MS + CALM_MS;
  const stormEnd = stormStart + STORM_MS;
  const nextStorm = stormEnd + CALM_MS;
  if (nextStorm > simulatedEnd) break; // check only storms followed by a complete calm phase
  stormsChecked++;
  const opened = changes.find((ch) => ch.from === 'closed' && ch.to === 'open' && ch.at >= stormStart && ch.at < stormEnd);
  if (opened === undefined) violation(`storm ${k}: never opened`);
  else if (opened.at - stormStart > 20_000) violation(`storm ${k}: opened only ${opened.at - stormStart} ms into the storm`);
  if (stateAt(stormEnd) === 'closed') violation(`storm ${k}: closed when the storm ended`);
  const closed = changes.find((ch) => ch.to === 'closed' && ch.at >= stormEnd && ch.at < nextStorm);
  if (closed === undefined) violation(`storm ${k}: did not close during the calm that followed`);
  if (stateAt(nextStorm - 1) !== 'closed') violation(`storm ${k}: not closed at the end of the calm that followed`);
}
for (const ch of changes) {
  if (ch.from === 'closed' && ch.to === 'open' && !inStorm(ch.at)) violation(`opened during calm at ${ch.at} ms (${ch.reason.trigger})`);
}
if (stormsChecked === 0 && CALLS >= 100_000) violation('no complete storm in the run');

const growth = heapAfter - heapBefore;
if (gc === undefined) console.warn('heap figures are without a forced GC: run with node --expose-gc');
else if (growth > MAX_HEAP_GROWTH_BYTES) violation(`heap grew by ${mb(growth)} (limit ${mb(MAX_HEAP_GROWTH_BYTES)})`);

breaker.dispose();
const opens = changes.filter((ch) => ch.to === 'open').length;
console.log(`soak: ${submitted.toLocaleString('en')} calls in ${elapsedS.toFixed(1)} s (${Math.round(submitted / elapsedS).toLocaleString('en')} calls/s), ${(simulatedEnd / 3_600_000).toFixed(1)} simulated hours`);
console.log(`  counts: succeeded ${c.succeeded}, failed ${c.failed}, rejected ${c.rejected}, aborted ${c.aborted}, slow ${c.slow} (sum ${accounted} = submitted ${submitted})`);
console.log(`  storms checked: ${stormsChecked}; transitions: ${changes.length} (${opens} into open)`);
console.log(`  heap after GC: ${mb(heapBefore)} after warm-up → ${mb(heapAfter)} at the end (${growth >= 0 ? '+' : ''}${mb(growth)})`);
console.log(JSON.stringify({ calls: submitted, stormsChecked, transitions: changes.length, heapBefore, heapAfter, violations: violations.length }));
if (violations.length > 0) {
  console.error(`soak FAILED:\n  ${violations.join('\n  ')}`);
  process.exit(1);
}
console.log('soak passed');
