import { afterEach, describe, expect, it } from 'vitest';
import { FleetInstance } from './FleetInstance.js';
import { BREAKER, STORM_MS, redisUrl, uniqueFleet } from './fleetOptions.js';

let instances: FleetInstance[] = [];
afterEach(async () => {
  await Promise.all(instances.map((i) => i.kill()));
  instances = [];
});

describe('fleet of four real processes, follow policy', () => {
  it('opens the other three within 50 ms of one trip, recovers with at most halfOpenRequests probes fleet-wide, then all four close', async () => {
    const fleet = uniqueFleet('trips');
    instances = await Promise.all(
      ['a', 'b', 'c', 'd'].map((instance) =>
        FleetInstance.start({ redisUrl: redisUrl(), fleet, instance, breaker: 'venue', options: BREAKER, leaseMs: 1_000, standByMs: 30 }),
      ),
    );
    const [a, ...others] = instances as [FleetInstance, ...FleetInstance[]];
    for (const i of instances) expect((await i.send('state')).state).toBe('closed');

    // A latency storm on A only: 20 calls of 150 ms against a 100 ms threshold.
    await a.send('burst', { n: 20, latencyMs: STORM_MS });
    const trip = await a.waitForChange((c) => c.to === 'open');
    expect(trip.reason.trigger).toBe('p99');

    for (const other of others) {
      const opened = await other.waitForChange((c) => c.to === 'open', 2_000);
      expect(opened.reason).toMatchObject({ trigger: 'fleet', instance: 'a', cause: { trigger: 'p99' } });
      expect(opened.at - trip.at).toBeLessThan(50);
      // The fleet's deadline, converted with the receiver's clock: within a few ms of the tripper's.
      expect(Math.abs(opened.nextAttemptAt! - trip.nextAttemptAt!)).toBeLessThan(50);
      expect((await other.send('state')).state).toBe('open');
    }

    // Every instance keeps sending (healthy venue now): only the lease holder may probe.
    await Promise.all(instances.map((i) => i.send('traffic', { everyMs: 3 })));
    for (const i of instances) await i.waitForChange((c) => c.to === 'closed', 5_000);
    const traffic = await Promise.all(instances.map((i) => i.send('traffic', { everyMs: 0 })));

    const states = await Promise.all(instances.map((i) => i.send('state')));
    expect(states.map((s) => s.state)).toEqual(['closed', 'closed', 'closed', 'closed']);
    const probes = states.reduce((sum, s) => sum + (s.probes as number), 0);
    expect(probes).toBeGreaterThanOrEqual(1);
    expect(probes).toBeLessThanOrEqual(BREAKER.halfOpenRequests!);
    const recoverers = instances.filter((i) => i.changes.some((c) => c.to === 'halfOpen'));
    expect(recoverers).toHaveLength(1);
    for (const i of instances) {
      const closed = i.changes.find((c) => c.to === 'closed')!;
      expect(closed.reason.trigger).toBe(i === recoverers[0] ? 'probe' : 'fleet');
    }
    // Nothing failed: refusals only, while open.
    expect(traffic.map((t) => t.otherErrors)).toEqual([0, 0, 0, 0]);
    expect(states.reduce((sum, s) => sum + s.fleet.leases.acquired, 0)).toBe(1);
    expect(states.reduce((sum, s) => sum + s.fleet.leases.localGrants, 0)).toBe(0);
  });
});
