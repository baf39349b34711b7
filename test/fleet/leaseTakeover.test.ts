import { afterEach, describe, expect, it } from 'vitest';
import { FleetInstance, sleep } from './FleetInstance.js';
import { BREAKER, STORM_MS, redisUrl, uniqueFleet } from './fleetOptions.js';

let instances: FleetInstance[] = [];
afterEach(async () => {
  await Promise.all(instances.map((i) => i.kill()));
  instances = [];
});

describe('recovery lease', () => {
  it('when the lease holder is killed during half-open, another instance takes the lease and completes the recovery', async () => {
    const fleet = uniqueFleet('lease');
    const leaseMs = 600;
    const options = { ...BREAKER, halfOpenTimeoutMs: 20_000 }; // the hung probe never times out by itself
    instances = await Promise.all(
      ['a', 'b', 'c'].map((instance) =>
        FleetInstance.start({ redisUrl: redisUrl(), fleet, instance, breaker: 'venue', options, leaseMs, standByMs: 30 }),
      ),
    );
    const [a] = instances as [FleetInstance, ...FleetInstance[]];
    await a.send('burst', { n: 20, latencyMs: STORM_MS });
    for (const i of instances) await i.waitForChange((c) => c.to === 'open');

    // The venue hangs everywhere: whoever takes the lease is stuck in half-open with its probe.
    await Promise.all(instances.map((i) => i.send('venue', { latencyMs: -1 })));
    await Promise.all(instances.map((i) => i.send('traffic', { everyMs: 5 })));
    let holder: FleetInstance | undefined;
    const deadline = Date.now() + 5_000;
    while (holder === undefined && Date.now() < deadline) {
      holder = instances.find((i) => i.changes.some((c) => c.to === 'halfOpen'));
      await sleep(5);
    }
    expect(holder).toBeDefined();
    await sleep(2 * leaseMs); // renewed while it recovers: nobody else starts a recovery
    expect(instances.filter((i) => i.changes.some((c) => c.to === 'halfOpen'))).toEqual([holder]);
    expect((await holder!.send('state')).state).toBe('halfOpen');

    const survivors = instances.filter((i) => i !== holder);
    await Promise.all(survivors.map((i) => i.send('venue', { latencyMs: 1 })));
    const killedAt = Date.now();
    await holder!.kill();

    const closes = await Promise.all(survivors.map((i) => i.waitForChange((c) => c.to === 'closed', 5_000)));
    expect(Date.now() - killedAt).toBeLessThan(leaseMs + 2_000);
    expect(closes.map((c) => c.reason.trigger).sort()).toEqual(['fleet', 'probe']);
    const successor = survivors[closes.findIndex((c) => c.reason.trigger === 'probe')]!;
    expect(successor.changes.some((c) => c.to === 'halfOpen')).toBe(true);
    const states = await Promise.all(survivors.map((i) => i.send('state')));
    expect(states.map((s) => s.state)).toEqual(['closed', 'closed']);
  });
});
