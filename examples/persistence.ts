/**
 * Restart safety in one file: a breaker trips, the process "restarts", and the new breaker resumes open
 * for the rest of its backoff instead of sending live orders straight into a node it had judged broken.
 *
 * Run: npx tsx examples/persistence.ts   (simulated time: finishes at once)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulatedClock } from 'xstate';
import { attachStateStore, createCircuitBreaker, FileStateStore, isCircuitOpenError, type CircuitBreaker } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'p99-breaker-example-'));
const file = join(dir, 'breaker-state.json');
const clock = new SimulatedClock();
const quiet = { info() {}, warn() {}, error() {} };

/** What a process does at start: load the saved state, create the breaker from it, keep saving it. */
function startBreaker(): { breaker: CircuitBreaker; detach: () => void } {
  const store = new FileStateStore(file);
  const breaker = createCircuitBreaker({
    name: 'venue-rpc',
    clock,
    random: () => 0.5, // no jitter, so the numbers below are exact
    failureThreshold: 3,
    recoveryTimeoutMs: 30_000,
    logger: quiet,
    restore: store.load('venue-rpc'),
  });
  const detach = attachStateStore(breaker, store, quiet);
  breaker.onStateChange((c) => console.log(`  t=${clock.now() / 1000}s ${c.from} → ${c.to} (${c.reason.trigger})`));
  return { breaker, detach };
}

async function placeOrder(breaker: CircuitBreaker, venueUp: boolean): Promise<string> {
  try {
    return await breaker.execute(async () => {
      if (!venueUp) throw new Error('venue timeout');
      return 'filled';
    });
  } catch (e) {
    if (isCircuitOpenError(e)) return `refused, retry in ${e.retryAfterMs} ms`;
    return `failed: ${(e as Error).message}`;
  }
}

try {
  console.log('process 1: the venue goes down');
  const first = startBreaker();
  for (let i = 0; i < 3; i++) console.log(`  order ${i + 1}: ${await placeOrder(first.breaker, false)}`);
  clock.increment(10_000);
  const onDisk = JSON.parse(readFileSync(file, 'utf8')).breakers['venue-rpc'].machine.value;
  console.log(`  t=${clock.now() / 1000}s the process is killed; on disk: ${JSON.stringify(onDisk)}`);
  first.detach();
  first.breaker.dispose();

  console.log('process 2: starts from breaker-state.json');
  const second = startBreaker();
  console.log(`  state after restart: ${second.breaker.state}`);
  console.log(`  order 4: ${await placeOrder(second.breaker, true)}`);
  clock.increment(20_000); // the rest of the 30 s backoff
  console.log(`  order 5: ${await placeOrder(second.breaker, true)}`);
  const finalState = second.breaker.state;
  console.log(`  state: ${finalState}`);
  second.detach();
  second.breaker.dispose();
  if (finalState !== 'closed') process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
