import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createCircuitBreaker } from '../../src/index.js';

/** pino writing JSON lines into memory. */
function memoryPino() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

const WARN = 40;
const INFO = 30;
const ERROR = 50;

async function tripAndRecover() {
  const { logger, lines } = memoryPino();
  const clock = new SimulatedClock();
  const breaker = createCircuitBreaker({
    name: 'venue-rpc',
    clock,
    random: () => 0.5,
    latencyThresholdMs: 200,
    windowSize: 100,
    minimumSamples: 20,
    recoveryTimeoutMs: 1_000,
    recovery: { baseDelayMs: 1_000, jitterFactor: 0 },
    halfOpenRequests: 1,
    logger,
  });
  const call = (latencyMs: number) =>
    breaker.execute(() => {
      clock.increment(latencyMs);
      return 'ack';
    });
  for (let i = 0; i < 20; i++) await call(300); // P99 300 ms > 200 ms
  clock.increment(1_000);
  await call(30);
  return { breaker, clock, lines: lines.filter((l) => l.event === 'stateChange') };
}

describe('state change log line', () => {
  it('is one structured line per transition through pino: warn on open, info otherwise', async () => {
    const { breaker, lines } = await tripAndRecover();
    expect(lines.map((l) => [l.level, l.from, l.to, l.trigger])).toEqual([
      [WARN, 'closed', 'open', 'p99'],
      [INFO, 'open', 'halfOpen', 'recoveryDue'],
      [INFO, 'halfOpen', 'closed', 'probe'],
    ]);
    const [open, , closed] = lines;
    expect(open).toMatchObject({ breaker: 'venue-rpc', attempt: 0, nextAttemptAt: 20 * 300 + 1_000, msg: expect.stringContaining('closed → open') });
    expect(closed).toMatchObject({ breaker: 'venue-rpc', attempt: 0, nextAttemptAt: null });
    breaker.dispose();
  });

  it('carries valueMs and thresholdMs at the top level, as the issue’s log line specifies', async () => {
    // Issue 5: `{ breaker, from, to, trigger, valueMs, thresholdMs, attempt, nextAttemptAt }`. The core
    // logs them only inside `reason`; this checks the flat fields a log query filters on.
    const { breaker, lines } = await tripAndRecover();
    const [open, halfOpen, closed] = lines;
    expect(open).toMatchObject({ valueMs: 300, thresholdMs: 200 });
    expect(closed).toMatchObject({ valueMs: 30, thresholdMs: 200 });
    expect(halfOpen).toMatchObject({ valueMs: null, thresholdMs: null });
    for (const line of lines) {
      for (const field of ['breaker', 'from', 'to', 'trigger', 'valueMs', 'thresholdMs', 'attempt', 'nextAttemptAt']) expect(line).toHaveProperty(field);
    }
    breaker.dispose();
  });

  it('logs a throwing state change listener once per throw, with its cause, and goes on', async () => {
    const { logger, lines } = memoryPino();
    const clock = new SimulatedClock();
    const breaker = createCircuitBreaker({ name: 'venue', clock, random: () => 0.5, failureThreshold: 2, logger });
    breaker.onStateChange(() => {
      throw new Error('listener exploded');
    });
    const seen: string[] = [];
    breaker.onStateChange((c) => seen.push(c.to));
    for (let i = 0; i < 2; i++) await breaker.execute(() => Promise.reject(new Error('down'))).catch(() => undefined);
    expect(breaker.state).toBe('open');
    expect(seen).toEqual(['open']); // the next listener still ran
    const errors = lines.filter((l) => l.level === ERROR);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ breaker: 'venue', err: { message: 'listener exploded', type: 'Error' } });
    breaker.dispose();
  });
});
