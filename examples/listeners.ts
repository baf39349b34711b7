/**
 * Every way to listen to a breaker, on a simulated clock (finishes in milliseconds):
 * `npx tsx examples/listeners.ts`.
 *
 * - `onStateChange(listener)`: a callback per transition, with `{ from, to, reason, at, attempt,
 *   nextAttemptAt }`; returns its unsubscribe function.
 * - `stateChanges$`: the same transitions as an RxJS observable, for `filter`/`map`/`bufferTime`…
 * - `samples$`: every completed call's latency as fed into the window.
 * - A listener that throws is reported to the logger and changes nothing else.
 * - `dispose()` completes both observables.
 */
import { bufferCount, filter, map } from 'rxjs';
import { SimulatedClock } from 'xstate';
import { createCircuitBreaker, type Logger, type StateChange } from '../src/index.js';

const clock = new SimulatedClock();
const logger: Logger = {
  info() {},
  warn() {},
  error: (fields, message) => console.log(`logger.error: ${message} (${String((fields as { err?: unknown }).err)})`),
};
const breaker = createCircuitBreaker({ name: 'venue-rpc', clock, random: () => 0.5, logger, recoveryTimeoutMs: 1_000, minimumSamples: 20 });

// 1. A plain callback, e.g. to page someone or to route orders to a backup venue.
const unsubscribe = breaker.onStateChange((c: StateChange) => console.log(`onStateChange: ${c.from} → ${c.to} (${c.reason.trigger})`));

// 2. A listener that throws: logged, ignored; the other listeners and the breaker carry on.
breaker.onStateChange(() => {
  throw new Error('listener bug');
});

// 3. RxJS: only the trips, with the measured value against its threshold.
breaker.stateChanges$
  .pipe(
    filter((c) => c.to === 'open'),
    map(({ reason }) => (reason.trigger === 'p99' ? `P99 ${reason.valueMs} ms > ${reason.thresholdMs} ms` : reason.trigger)),
  )
  .subscribe({ next: (why) => console.log(`stateChanges$ trip: ${why}`), complete: () => console.log('stateChanges$ completed') });

// 4. Latency samples, ten at a time (a metrics exporter would feed a histogram instead).
breaker.samples$
  .pipe(
    bufferCount(10),
    map((batch) => Math.max(...batch.map((s) => s.latencyMs))),
  )
  .subscribe({ next: (max) => console.log(`samples$: max of the last 10 calls ${max} ms`), complete: () => console.log('samples$ completed') });

const call = (latencyMs: number) =>
  breaker.execute(() => {
    clock.increment(latencyMs);
    return latencyMs;
  });

for (let i = 0; i < 10; i++) await call(40);
while (breaker.state === 'closed') await call(350); // slow enough for the P99 rule
clock.increment(1_000); // backoff over, no health check configured: half-open
await call(30); // one fast probe closes the circuit
unsubscribe();
breaker.forceOpen({ by: 'desk', why: 'venue maintenance' }); // the unsubscribed callback no longer hears this
breaker.dispose();
