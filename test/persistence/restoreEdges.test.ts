import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createCircuitBreaker, PingHealthChecker } from '../../src/index.js';
import { settle } from '../support/settle.js';

const quiet = { info() {}, warn() {}, error() {} };
const down = (): Promise<never> => Promise.reject(new Error('down'));

describe('restoring at the edges', () => {
  it('restores a snapshot taken after dispose(), as a shutdown hook would take it', async () => {
    const clock = new SimulatedClock();
    const first = createCircuitBreaker({ name: 'venue', clock, random: () => 0.5, logger: quiet });
    for (let i = 0; i < 5; i++) await first.execute(down).catch(() => {});
    first.dispose();
    const saved = JSON.parse(JSON.stringify(first.snapshot())) as unknown;
    clock.increment(10_000);
    const again = createCircuitBreaker({ name: 'venue', clock, random: () => 0.5, logger: quiet, restore: saved });
    expect(again.state).toBe('open');
    expect(again.stats().nextAttemptAt).toBe(30_000);
    again.dispose();
  });

  it('does not run the health check again when restoring a snapshot taken while it ran', async () => {
    const clock = new SimulatedClock();
    let checks = 0;
    const healthCheck = () => {
      checks++;
      return new Promise<boolean>(() => {}); // hangs
    };
    const first = createCircuitBreaker({ name: 'venue', clock, random: () => 0.5, logger: quiet, healthCheck });
    for (let i = 0; i < 5; i++) await first.execute(down).catch(() => {});
    clock.increment(30_000);
    await settle();
    expect(checks).toBe(1);
    const saved = JSON.parse(JSON.stringify(first.snapshot())) as unknown;
    first.dispose();
    const again = createCircuitBreaker({ name: 'venue', clock, random: () => 0.5, logger: quiet, healthCheck, restore: saved });
    await settle();
    expect(checks).toBe(1); // the in-flight check died with the process; the restored one waits for its timer
    expect(again.state).toBe('open');
    again.dispose();
  });

  it('takes a HealthChecker object (e.g. PingHealthChecker) as the healthCheck option', async () => {
    const clock = new SimulatedClock();
    let pings = 0;
    const checker = new PingHealthChecker({ ping: async () => void pings++, latencyThresholdMs: 200, clock });
    const breaker = createCircuitBreaker({ name: 'venue', clock, random: () => 0.5, logger: quiet, healthCheck: checker });
    for (let i = 0; i < 5; i++) await breaker.execute(down).catch(() => {});
    clock.increment(30_000);
    await settle();
    expect(pings).toBe(1);
    expect(breaker.state).toBe('halfOpen');
    breaker.dispose();
  });
});
