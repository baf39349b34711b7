import { afterEach, describe, expect, it } from 'vitest';
import { FleetInstance, sleep } from './FleetInstance.js';
import { BREAKER, STORM_MS, redisUrl, uniqueFleet } from './fleetOptions.js';

let instances: FleetInstance[] = [];
afterEach(async () => {
  await Promise.all(instances.map((i) => i.kill()));
  instances = [];
});

describe('fleet of real processes, quorum policy', () => {
  it('with quorum 2, one instance tripping opens nobody else and a second trip opens the fleet', async () => {
    const fleet = uniqueFleet('quorum');
    // Long open time, so that the first report is still live when the second instance trips.
    const options = { ...BREAKER, recoveryTimeoutMs: 5_000 };
    instances = await Promise.all(
      ['a', 'b', 'c'].map((instance) =>
        FleetInstance.start({ redisUrl: redisUrl(), fleet, instance, breaker: 'venue', options, policy: { quorum: 2 } }),
      ),
    );
    const [a, b, c] = instances as [FleetInstance, FleetInstance, FleetInstance];

    await a.send('burst', { n: 20, latencyMs: STORM_MS });
    expect((await a.waitForChange((ch) => ch.to === 'open')).reason.trigger).toBe('p99');
    await sleep(300); // far longer than a message takes
    expect(b.changes).toEqual([]);
    expect(c.changes).toEqual([]);
    expect((await b.send('state')).state).toBe('closed');
    const afterOne = await a.send('state');
    expect(afterOne.fleet).toMatchObject({ reported: 1, published: 0 });

    await b.send('burst', { n: 20, latencyMs: STORM_MS });
    const second = await b.waitForChange((ch) => ch.to === 'open');
    expect(second.reason.trigger).toBe('p99');
    const opened = await c.waitForChange((ch) => ch.to === 'open', 2_000);
    expect(opened.reason).toMatchObject({ trigger: 'fleet', instance: 'b' });
    expect(opened.at - second.at).toBeLessThan(50);
    expect((await c.send('state')).state).toBe('open');
    expect((await b.send('state')).fleet).toMatchObject({ reported: 1, published: 1 });
  });
});
