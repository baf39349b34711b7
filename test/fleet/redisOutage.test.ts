import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { FleetInstance, sleep, waitFor } from './FleetInstance.js';
import { freePort, startRedis, stopRedis } from './ownRedis.js';
import { BREAKER, STORM_MS, uniqueFleet } from './fleetOptions.js';

let instances: FleetInstance[] = [];
let server: ChildProcess | undefined;
afterEach(async () => {
  await Promise.all(instances.map((i) => i.kill()));
  instances = [];
  await stopRedis(server);
  server = undefined;
});

describe('Redis is never in the way', () => {
  it('when redis-server is killed mid-run no call fails or blocks, breakers trip locally, and state resynchronises when it returns', async () => {
    const port = await freePort();
    server = await startRedis(port);
    const fleet = uniqueFleet('outage');
    const options = { ...BREAKER, recoveryTimeoutMs: 8_000 };
    instances = await Promise.all(
      ['a', 'b', 'c'].map((instance) =>
        FleetInstance.start({ redisUrl: `redis://127.0.0.1:${port}`, fleet, instance, breaker: 'venue', options }),
      ),
    );
    const [a, b, c] = instances as [FleetInstance, FleetInstance, FleetInstance];
    await Promise.all(instances.map((i) => i.send('traffic', { everyMs: 5 })));

    await stopRedis(server);
    server = undefined;
    await waitFor(async () => (await Promise.all(instances.map((i) => i.send('state')))).every((s) => !s.fleet.connected), 5_000, 'every instance to notice');

    // A trips on its own while Redis is gone; nobody else can hear of it yet.
    const storm = await a.send('burst', { n: 20, latencyMs: STORM_MS });
    expect(storm.otherErrors).toBe(0);
    expect((await a.waitForChange((ch) => ch.to === 'open')).reason.trigger).toBe('p99');
    await sleep(400);
    expect(b.changes).toEqual([]);
    expect(c.changes).toEqual([]);

    server = await startRedis(port);
    await waitFor(async () => (await Promise.all(instances.map((i) => i.send('state')))).every((s) => s.fleet.connected), 8_000, 'every instance to reconnect');
    for (const follower of [b, c]) {
      const opened = await follower.waitForChange((ch) => ch.to === 'open', 3_000);
      expect(opened.reason).toMatchObject({ trigger: 'fleet', instance: 'a' });
    }

    const traffic = await Promise.all(instances.map((i) => i.send('traffic', { everyMs: 0 })));
    for (const t of traffic) {
      expect(t.calls).toBeGreaterThan(50); // traffic ran all through the outage
      expect(t.otherErrors).toBe(0); // only CircuitOpenError refusals, never a Redis error
      expect(t.maxDispatchMs).toBeLessThan(25); // no call waited for Redis
    }
    for (const i of instances) {
      const state = await i.send('state');
      expect(state.fleet.connectionLosses).toBe(1);
      expect(state.fleet.redisErrors).toBeGreaterThan(0);
      expect(i.logs.filter((l) => l.level === 'warn' && l.msg.includes('lost the connection'))).toHaveLength(1);
    }
  });
});
