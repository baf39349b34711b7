import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { connectFleet } from '../../src/fleet/connectFleet.js';
import type { Logger } from '../../src/Logger.js';
import { BreakerRegistry } from '../../src/trading/BreakerRegistry.js';
import { sleep, waitFor } from './FleetInstance.js';
import { redisUrl, uniqueFleet } from './fleetOptions.js';

// Two in-process instances of one fleet against the real Redis of the run, on the real clock.
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
const silent: Logger = { info: () => {}, warn: () => {}, error: () => {} };

async function instance(fleetName: string, id: string) {
  const registry = new BreakerRegistry({
    logger: silent,
    failureThreshold: 1,
    recoveryTimeoutMs: 200,
    recovery: { baseDelayMs: 50, maxDelayMs: 2_000, multiplier: 2, jitterFactor: 0 },
  });
  const redis = new Redis(redisUrl(), { maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  const fleet = await connectFleet(registry, { redis, fleet: fleetName, instance: id, logger: silent, standByMs: 100, leaseMs: 1_000 });
  cleanups.push(() => redis.disconnect(), () => registry.dispose(), () => fleet.close());
  return { id, breaker: registry.get('venue') };
}

describe('a lease holder with no traffic', () => {
  it('hands the recovery over, so the instance that has orders recovers the fleet', async () => {
    const name = uniqueFleet('idle-holder');
    const a = await instance(name, 'a');
    const b = await instance(name, 'b');
    await a.breaker.execute(() => Promise.reject(new Error('venue down'))).catch(() => {});
    await waitFor(() => b.breaker.state === 'open', 2_000, 'b follows the trip');

    // Whoever takes the lease goes half-open; the other stands by. Send orders only to the other one.
    await waitFor(() => a.breaker.state === 'halfOpen' || b.breaker.state === 'halfOpen', 3_000, 'one instance takes the lease');
    const [holder, busy] = a.breaker.state === 'halfOpen' ? [a, b] : [b, a];
    expect(busy.breaker.state).toBe('open');

    // The holder gets no call within standByMs: it reopens and frees the lease; the busy one takes it.
    let fills = 0;
    const deadline = Date.now() + 5_000;
    while (busy.breaker.state !== 'closed' && Date.now() < deadline) {
      const result = await busy.breaker.tryExecute(async () => 'fill');
      if (result.ok) fills++;
      await sleep(20);
    }
    expect(busy.breaker.state).toBe('closed');
    expect(fills).toBeGreaterThan(0);
    await waitFor(() => holder.breaker.state === 'closed', 2_000, 'the former holder closes by fleet message');
  }, 20_000);
});
