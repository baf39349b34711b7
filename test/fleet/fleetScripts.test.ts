import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { fleetKeys } from '../../src/fleet/fleetKeys.js';
import { CLAIM_SCRIPT, CLOSED_SCRIPT, OPEN_SCRIPT, RELEASE_SCRIPT, RENEW_SCRIPT, runScript } from '../../src/fleet/fleetScripts.js';
import { sleep } from './FleetInstance.js';
import { redisUrl, uniqueFleet } from './fleetOptions.js';

const redis = new Redis(redisUrl());
afterAll(() => redis.disconnect());

const scriptKeys = (keys: ReturnType<typeof fleetKeys>, b: string) => [keys.reports(b), keys.open(b), keys.last(b), keys.version, keys.epoch, keys.lease(b), keys.breakers];

describe('fleet Lua scripts on a real Redis', () => {
  it('lets only the holder renew or release a lease (compare-and-delete), and frees it for the next claimant', async () => {
    const lease = fleetKeys(uniqueFleet('scripts')).lease('venue');
    expect(await runScript(redis, CLAIM_SCRIPT, [lease], ['t1', 5_000])).toBe(1);
    expect(await runScript(redis, CLAIM_SCRIPT, [lease], ['t2', 5_000])).toBe(0);
    expect(await runScript(redis, CLAIM_SCRIPT, [lease], ['t1', 5_000])).toBe(1); // the holder may re-claim
    expect(await runScript(redis, RELEASE_SCRIPT, [lease], ['t2'])).toBe(0);
    expect(await runScript(redis, RENEW_SCRIPT, [lease], ['t2', 5_000])).toBe(0);
    expect(await redis.get(lease)).toBe('t1');
    expect(await runScript(redis, RENEW_SCRIPT, [lease], ['t1', 5_000])).toBe(1);
    expect(await runScript(redis, RELEASE_SCRIPT, [lease], ['t1'])).toBe(1);
    expect(await runScript(redis, CLAIM_SCRIPT, [lease], ['t2', 50])).toBe(1);
    await sleep(80); // a dead holder's lease expires by itself
    expect(await runScript(redis, CLAIM_SCRIPT, [lease], ['t3', 5_000])).toBe(1);
  });

  it('counts only live reports toward the quorum (deadlines on Redis’s clock) and opens the fleet once', async () => {
    const fleet = uniqueFleet('scripts');
    const keys = fleetKeys(fleet);
    const k = scriptKeys(keys, 'venue');
    const body = (instance: string) => JSON.stringify({ fleet, instance, breaker: 'venue' }).slice(1);
    const report = (instance: string, remainingMs: number) =>
      runScript(redis, OPEN_SCRIPT, k, [instance, remainingMs, 2, body(instance), 'epoch1', keys.channel, '', 'venue']);
    expect(await report('i1', 50)).toEqual([1, 0]);
    await sleep(80); // i1's report has expired
    expect(await report('i2', 5_000)).toEqual([1, 0]);
    expect(await redis.exists(keys.open('venue'))).toBe(0);
    const [count, version] = (await report('i3', 5_000)) as [number, number];
    expect(count).toBe(2);
    expect(version).toBeGreaterThan(0);
    const pttl = await redis.pttl(keys.open('venue'));
    expect(pttl).toBeGreaterThan(4_500);
    expect(JSON.parse((await redis.get(keys.last('venue')))!)).toMatchObject({ epoch: 'epoch1', version, instance: 'i3' });
    expect(await report('i4', 5_000)).toEqual([3, 0]); // already open: no second message
  });

  it('publishes closed only for the lease holder, clearing the open verdict and leaving a short tombstone', async () => {
    const fleet = uniqueFleet('scripts');
    const keys = fleetKeys(fleet);
    const k = scriptKeys(keys, 'venue');
    const body = JSON.stringify({ fleet, instance: 'i1', breaker: 'venue', to: 'closed' }).slice(1);
    await redis.set(keys.open('venue'), '{}', 'PX', 5_000);
    expect(await runScript(redis, CLAIM_SCRIPT, [keys.lease('venue')], ['holder', 5_000])).toBe(1);
    expect(await runScript(redis, CLOSED_SCRIPT, k, ['i2', '', '', body, 'e', keys.channel, 'not-the-holder', 'venue', 200])).toBe(0);
    expect(await redis.exists(keys.open('venue'))).toBe(1);
    const version = await runScript(redis, CLOSED_SCRIPT, k, ['i1', '', '', body, 'e', keys.channel, 'holder', 'venue', 200]);
    expect(version).toBeGreaterThan(0);
    expect(await redis.exists(keys.open('venue'))).toBe(0);
    expect(await runScript(redis, CLAIM_SCRIPT, [keys.lease('venue')], ['late', 5_000])).toBe(0); // tombstone
    await sleep(250);
    expect(await runScript(redis, CLAIM_SCRIPT, [keys.lease('venue')], ['late', 5_000])).toBe(1);
  });
});
