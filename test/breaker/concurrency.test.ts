import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createCircuitBreaker, isCircuitOpenError, type StateChange } from '../../src/index.js';
import { captureLogger } from '../support/captureLogger.js';
import { settle } from '../support/settle.js';
import { deferred, type Deferred } from './helpers/deferred.js';
import { seededRandom } from '../../src/demo/seededRandom.js';

class NodeError extends Error {}
class BusinessRejection extends Error {}

type Ending = 'succeeded' | 'failed' | 'rejected' | 'aborted';

/** One call of the scenario, as the caller sees it. */
interface Call {
  readonly via: 'execute' | 'tryExecute' | 'signal';
  endings: Ending[];
  invoked: boolean;
  businessRejected: boolean;
  abortedBeforeSettle: boolean;
  /** Latency the breaker measured, known once the operation settled. */
  latencyMs: number | null;
}

/** An operation the breaker invoked, waiting for the scenario to settle it. */
interface Running {
  readonly call: Call;
  readonly answer: Deferred<string>;
  readonly startedAt: number;
  readonly dueAt: number;
  readonly outcome: 'ok' | 'fail' | 'business';
  readonly controller: AbortController | undefined;
  readonly abortAt: number | null;
}

const THRESHOLD_MS = 200;

/**
 * Runs `total` overlapping calls against a node that alternates between healthy and degraded, with random
 * latencies, outcomes and settle order, on a simulated clock. Returns what the callers saw and the breaker.
 */
async function runScenario(seed: number, total: number) {
  const random = seededRandom(seed);
  const clock = new SimulatedClock();
  const logger = captureLogger();
  // degraded for 1.5 s of every 4 s of simulated time
  const degradedAt = (t: number): boolean => t % 4_000 >= 2_500;
  const breaker = createCircuitBreaker({
    name: 'venue',
    clock,
    random: seededRandom(seed + 1),
    logger,
    windowSize: 200,
    minimumSamples: 40,
    latencyThresholdMs: THRESHOLD_MS,
    recoveryTimeoutMs: 400,
    recovery: { baseDelayMs: 100, maxDelayMs: 3_000 },
    halfOpenTimeoutMs: 800,
    healthCheckTimeoutMs: 300,
    healthCheck: async () => !degradedAt(clock.now()) || random() < 0.2,
    isFailure: (e) => !(e instanceof BusinessRejection),
  });
  const changes: StateChange[] = [];
  breaker.onStateChange((c) => changes.push(c));

  const calls: Call[] = [];
  let running: Running[] = [];

  const submit = (): void => {
    const r = random();
    const call: Call = {
      via: r < 0.75 ? 'execute' : r < 0.92 ? 'tryExecute' : 'signal',
      endings: [],
      invoked: false,
      businessRejected: false,
      abortedBeforeSettle: false,
      latencyMs: null,
    };
    calls.push(call);
    const controller = call.via === 'signal' ? new AbortController() : undefined;
    const operation = (): Promise<string> => {
      call.invoked = true;
      const now = clock.now();
      const degraded = degradedAt(now);
      const hang = random() < (degraded ? 0.1 : 0.01);
      const latency = hang ? 500 + random() * 2_500 : degraded ? 50 + random() * 600 : random() * 120;
      const x = random();
      const outcome = x < (degraded ? 0.35 : 0.03) ? 'fail' : x < (degraded ? 0.4 : 0.08) ? 'business' : 'ok';
      const answer = deferred<string>();
      const abortAt = controller !== undefined && random() < 0.5 ? now + random() * latency : null;
      running.push({ call, answer, startedAt: now, dueAt: now + latency, outcome, controller, abortAt });
      return answer.promise;
    };
    const end = (ending: Ending): void => {
      call.endings.push(ending);
    };
    const onError = (error: unknown): void => {
      if (isCircuitOpenError(error)) {
        end('rejected');
        return;
      }
      if (call.abortedBeforeSettle) end('aborted');
      else if (error instanceof BusinessRejection) {
        call.businessRejected = true;
        end('succeeded');
      } else end('failed');
    };
    if (call.via === 'tryExecute') {
      breaker.tryExecute(operation).then((result) => end(result.ok ? 'succeeded' : 'rejected'), onError);
    } else {
      breaker
        .execute(operation, controller === undefined ? undefined : { signal: controller.signal })
        .then(() => end(call.abortedBeforeSettle ? 'aborted' : 'succeeded'), onError);
    }
  };

  while (calls.length < total || running.length > 0) {
    const burst = calls.length < total ? Math.floor(random() * 9) : 0;
    for (let i = 0; i < burst && calls.length < total; i++) submit();
    clock.increment(1 + Math.floor(random() * 15));
    const now = clock.now();
    // abort some signal calls whose caller gave up
    for (const op of running) {
      if (op.abortAt !== null && op.abortAt <= now && !op.controller!.signal.aborted) {
        op.call.abortedBeforeSettle = true;
        op.controller!.abort();
      }
    }
    // settle everything due, in random order, sometimes letting continuations run in between
    const due = running.filter((op) => op.dueAt <= now);
    running = running.filter((op) => op.dueAt > now);
    for (let i = due.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [due[i], due[j]] = [due[j]!, due[i]!];
    }
    for (const op of due) {
      op.call.latencyMs = clock.now() - op.startedAt;
      if (op.outcome === 'ok') op.answer.resolve('fill');
      else op.answer.reject(op.outcome === 'fail' ? new NodeError('503') : new BusinessRejection('rejected'));
      if (random() < 0.5) await settle();
    }
    await settle();
  }
  await settle();
  return { breaker, calls, changes, logger };
}

describe('concurrency: thousands of overlapping calls', () => {
  it.each([1, 2, 3])('every one of 5 000 calls ends exactly once, and the caller-side tally equals stats().counts (seed %i)', async (seed) => {
    const { breaker, calls, changes, logger } = await runScenario(seed, 5_000);

    // nothing lost, nothing double-counted
    const unsettled = calls.filter((c) => c.endings.length !== 1);
    expect(unsettled).toEqual([]);
    const tally = { succeeded: 0, failed: 0, rejected: 0, aborted: 0, businessRejected: 0, slow: 0 };
    for (const c of calls) {
      const ending = c.endings[0]!;
      tally[ending]++;
      if (ending === 'succeeded' && c.businessRejected) tally.businessRejected++;
      if (ending !== 'aborted' && c.latencyMs !== null && c.latencyMs > THRESHOLD_MS) tally.slow++;
      // a refused call was never sent; every other call was
      expect(c.invoked).toBe(ending !== 'rejected');
    }
    expect(tally.succeeded + tally.failed + tally.rejected + tally.aborted).toBe(5_000);
    const stats = breaker.stats();
    // the documented counts are the enumerable shape; aborted and businessRejected are readable extras
    const { aborted, businessRejected, ...documented } = tally;
    expect(stats.counts).toEqual(documented);
    expect(stats.counts.aborted).toBe(aborted);
    expect(stats.counts.businessRejected).toBe(businessRejected);
    expect(stats.inFlight).toBe(0);

    // the scenario really exercised the breaker: every ending, several trips and recoveries
    expect(Math.min(tally.succeeded, tally.failed, tally.rejected, tally.aborted, tally.businessRejected)).toBeGreaterThan(0);
    expect(changes.filter((c) => c.to === 'open').length).toBeGreaterThanOrEqual(3);
    expect(changes.filter((c) => c.to === 'closed').length).toBeGreaterThanOrEqual(2);
    expect(changes.filter((c) => c.to === 'halfOpen').length).toBeGreaterThanOrEqual(2);
    expect(logger.at('error')).toEqual([]);
    breaker.dispose();
  });
});
