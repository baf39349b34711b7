import { afterEach, describe, expect, it } from 'vitest';
import { FleetInstance } from './FleetInstance.js';
import { BREAKER, STORM_MS, redisUrl, uniqueFleet } from './fleetOptions.js';

let instances: FleetInstance[] = [];
afterEach(async () => {
  await Promise.all(instances.map((i) => i.kill()));
  instances = [];
});

describe('restart safety', () => {
  it('a process killed while open comes back open for the fleet’s remaining time, tripper or follower', async () => {
    const fleet = uniqueFleet('restart');
    const options = { ...BREAKER, recoveryTimeoutMs: 6_000 };
    const start = (instance: string) => FleetInstance.start({ redisUrl: redisUrl(), fleet, instance, breaker: 'venue', options });
    instances = await Promise.all(['a', 'b'].map(start));
    const [a, b] = instances as [FleetInstance, FleetInstance];

    await a.send('burst', { n: 20, latencyMs: STORM_MS });
    const trip = await a.waitForChange((c) => c.to === 'open');
    await b.waitForChange((c) => c.to === 'open');

    for (const victim of [b, a]) {
      await victim.kill();
      const reborn = await start(victim.name);
      instances.push(reborn);
      // Open before connectFleet resolved (`ready` is sent after it): no call ever reached the venue.
      const state = await reborn.send('state');
      expect(state.state).toBe('open');
      expect(state.lastChange.reason).toMatchObject({ trigger: 'fleet', instance: 'a', cause: { trigger: 'p99' } });
      // Same deadline as the fleet's, within the transit and PTTL rounding, on this host's clock.
      expect(Math.abs(state.stats.nextAttemptAt - trip.nextAttemptAt!)).toBeLessThan(100);
      expect(state.retryAfterMs).toBeGreaterThan(1_000);
      const burst = await reborn.send('burst', { n: 5, latencyMs: 1 });
      expect(burst).toMatchObject({ rejected: 5, succeeded: 0 });
    }
  });
});
