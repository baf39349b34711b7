import type { ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { realClock, type Clock } from '../../src/Clock.js';
import { isConfigError } from '../../src/errors/ConfigError.js';
import { connectFleet } from '../../src/fleet/connectFleet.js';
import type { Fleet } from '../../src/fleet/Fleet.js';
import { fleetKeys } from '../../src/fleet/fleetKeys.js';
import type { Logger } from '../../src/Logger.js';
import { BreakerRegistry } from '../../src/trading/BreakerRegistry.js';
import { sleep, waitFor } from './FleetInstance.js';
import { redisUrl, uniqueFleet } from './fleetOptions.js';
import { freePort, startRedis, stopRedis } from './ownRedis.js';

// In-process tests against the real Redis of the run. Breakers use the real clock (Redis is real time).
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const silent: Logger = { info: () => {}, warn: () => {}, error: () => {} };

function client(url = redisUrl()): Redis {
  const redis = new Redis(url, { retryStrategy: () => 100, maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  cleanups.push(() => redis.disconnect());
  return redis;
}

async function join(name: string, extra: Partial<Parameters<typeof connectFleet>[1]> = {}, url?: string) {
  const registry = new BreakerRegistry({ logger: silent, failureThreshold: 1, recoveryTimeoutMs: 60_000 });
  const redis = client(url);
  const fleet = await connectFleet(registry, { redis, fleet: name, logger: silent, ...extra });
  cleanups.push(() => registry.dispose(), () => fleet.close());
  return { registry, redis, fleet };
}

const fail = (): Promise<never> => Promise.reject(new Error('venue down'));

/** A message as another instance would publish it. */
const message = (fleet: string, fields: Record<string, unknown>): string =>
  JSON.stringify({
    epoch: 'e1', version: 1, fleet, breaker: 'venue', instance: 'other', session: 's1', from: 'closed', to: 'open',
    reason: { trigger: 'consecutiveFailures', value: 1, threshold: 1 }, until: 0, remainingMs: 5_000, ...fields,
  });

describe('connectFleet messages', () => {
  it('applies newer verdicts and ignores and counts malformed, other-fleet and older messages', async () => {
    const name = uniqueFleet('messages');
    const { registry, fleet } = await join(name);
    const breaker = registry.get('venue');
    const publisher = client();
    const channel = fleetKeys(name).channel;
    const send = async (raw: string) => {
      await publisher.publish(channel, raw);
      await sleep(30);
    };

    await send(message(name, { version: 5 }));
    expect(breaker.state).toBe('open');
    expect(breaker.stats().nextAttemptAt! - realClock.now()).toBeGreaterThan(4_800);

    await send('not json');
    await send('[1,2]');
    await send(message(name, { version: 'seven' }));
    await send(message(name, { to: 'sideways', version: 9 }));
    await send(message(name, { remainingMs: -5, version: 9 }));
    await send(message('another-fleet', { version: 9, to: 'closed', until: null, remainingMs: null }));
    await send(message(name, { version: 4, to: 'closed', until: null, remainingMs: null })); // older than v5
    expect(breaker.state).toBe('open');
    expect(fleet.stats()).toMatchObject({ received: 1, ignored: { malformed: 5, otherFleet: 1, stale: 1 } });

    await send(message(name, { version: 6, to: 'closed', until: null, remainingMs: null, reason: { trigger: 'probe' } }));
    expect(breaker.state).toBe('closed');
    // A new Redis data set (epoch) starts its own versions.
    await send(message(name, { epoch: 'e2', version: 1 }));
    expect(breaker.state).toBe('open');
    expect(fleet.stats()).toMatchObject({ received: 3 });
  });

  it('opens a breaker created after the fleet opened it, for the remaining time', async () => {
    const name = uniqueFleet('late');
    const { registry } = await join(name);
    await client().publish(fleetKeys(name).channel, message(name, { breaker: 'late-venue', remainingMs: 4_000 }));
    await sleep(30);
    const late = registry.get('late-venue');
    expect(late.state).toBe('open');
    expect(late.stats().nextAttemptAt! - realClock.now()).toBeGreaterThan(3_800);
    let invoked = false;
    await expect(late.execute(async () => (invoked = true))).rejects.toMatchObject({ name: 'CircuitOpenError' });
    expect(invoked).toBe(false);
  });

  it('publishes a local trip to a second connection of the same fleet, and a listener or logger that throws changes nothing', async () => {
    const name = uniqueFleet('pair');
    const throwing: Logger = { info: () => { throw new Error('info'); }, warn: () => { throw new Error('warn'); }, error: () => { throw new Error('error'); } };
    const one = await join(name, { logger: throwing });
    const two = await join(name);
    const b1 = one.registry.get('venue');
    const b2 = two.registry.get('venue');
    b2.onStateChange(() => {
      throw new Error('a listener that throws');
    });
    await expect(b1.execute(fail)).rejects.toThrow('venue down');
    expect(b1.state).toBe('open');
    await waitFor(() => b2.state === 'open', 1_000, 'the second connection to follow');
    expect(one.fleet.stats()).toMatchObject({ reported: 1, published: 1 });
    expect(two.fleet.stats()).toMatchObject({ received: 1 });
  });
});

describe('connectFleet latency sharing', () => {
  it('pushes each instance’s digest every digestPeriodMs, so another instance reads the fleet’s numbers without asking', async () => {
    const name = uniqueFleet('digest');
    const pushing = await join(name, { digestPeriodMs: 100 });
    const reading = await join(name);
    const breaker = pushing.registry.get('venue');
    for (let i = 0; i < 50; i++) await breaker.execute(() => i);
    const latency = await waitFor(async () => {
      const l = await reading.fleet.latency('venue');
      return l.count === 50 ? l : undefined;
    }, 2_000, 'the periodic push');
    expect(latency).toMatchObject({ instances: 1, complete: true });
    expect(latency.p99).not.toBeNull();
    expect(await pushing.fleet.latency('venue')).toMatchObject({ count: 50, instances: 1 });
  });

  it('is on with the default options: fleet.latency() answers with every instance’s calls, none of them skipped', async () => {
    const name = uniqueFleet('digest-default');
    const one = await join(name);
    const two = await join(name);
    const a = one.registry.get('venue');
    const b = two.registry.get('venue');
    for (let i = 0; i < 40; i++) await a.execute(() => i);
    for (let i = 0; i < 60; i++) await b.execute(() => i);
    // Nothing was read per call: fleet.latency() reads the window, so the local numbers are there at once.
    expect(await one.fleet.latency('venue')).toMatchObject({ count: 40, instances: 1, complete: true });
    await two.fleet.pushLatency(); // the 5 s period, brought forward
    const fleetWide = await one.fleet.latency('venue');
    expect(fleetWide).toMatchObject({ count: 100, instances: 2, complete: true });
    expect(fleetWide.p99).not.toBeNull();
    expect([one.fleet.stats().latencySkipped, two.fleet.stats().latencySkipped]).toEqual([0, 0]);
  });

  it('counts the latencies that left a breaker’s window before the digest read them in stats().latencySkipped', async () => {
    const { registry, fleet } = await join(uniqueFleet('digest-skipped'));
    const breaker = registry.get('venue', { windowSize: 10 });
    for (let i = 0; i < 30; i++) await breaker.execute(() => i);
    const { count } = await fleet.latency('venue');
    const { latencySkipped } = fleet.stats();
    // 30 calls through a window of 10 within (at most) two reads a second apart: at least 10 are skipped.
    expect(count + latencySkipped).toBe(30);
    expect(latencySkipped).toBeGreaterThanOrEqual(10);
    expect(count).toBeGreaterThanOrEqual(10);
  });
});

describe('connectFleet keeps Redis off the call path', () => {
  it('sends no Redis command while calls succeed in closed or are refused in open (MONITOR as the oracle)', async () => {
    const name = uniqueFleet('monitor');
    // The default options' call path (latency digest on: its window read is timer-only), with the 5 s push
    // pushed out of this test's few seconds so that MONITOR sees only what calls would cause.
    const { registry } = await join(name, { digestPeriodMs: 60_000 });
    const monitor = await client().monitor();
    cleanups.push(() => monitor.disconnect());
    const commands: string[] = [];
    monitor.on('monitor', (_time: string, args: string[]) => commands.push(args.join(' ')));
    const breaker = registry.get('venue', { failureThreshold: 5 });
    await sleep(50);
    commands.length = 0;

    for (let i = 0; i < 2_000; i++) await breaker.execute(() => i);
    await sleep(50);
    expect(commands).toEqual([]);

    for (let i = 0; i < 5; i++) await breaker.execute(fail).catch(() => {});
    expect(breaker.state).toBe('open');
    await sleep(50);
    expect(commands.some((c) => c.includes(name))).toBe(true); // the trip itself travels (a state change, not a call)
    commands.length = 0;
    for (let i = 0; i < 2_000; i++) await breaker.execute(() => i).catch(() => {});
    await sleep(50);
    expect(commands).toEqual([]);
  });

  it('when Redis stops answering, a recovery claim is granted locally after claimTimeoutMs and calls never wait', async () => {
    const port = await freePort();
    let server: ChildProcess | undefined = await startRedis(port);
    cleanups.push(() => stopRedis(server));
    const name = uniqueFleet('slow');
    const { registry, fleet } = await join(name, { claimTimeoutMs: 100 }, `redis://127.0.0.1:${port}`);
    const breaker = registry.get('venue', { recoveryTimeoutMs: 50, recovery: { baseDelayMs: 10, maxDelayMs: 1_000, multiplier: 2, jitterFactor: 0 } });
    server.kill('SIGSTOP'); // alive but silent: the connection stays "ready"
    cleanups.push(() => server?.kill('SIGCONT'));

    const started = performance.now();
    await expect(breaker.execute(fail)).rejects.toThrow('venue down');
    expect(performance.now() - started).toBeLessThan(20);
    expect(breaker.state).toBe('open');
    await waitFor(() => breaker.state === 'halfOpen', 2_000, 'local recovery');
    expect(fleet.stats().leases).toMatchObject({ acquired: 0, localGrants: 1 });
    await breaker.execute(async () => 'probe');
    expect(breaker.state).toBe('closed');
    server.kill('SIGCONT');
    await stopRedis(server);
    server = undefined;
  });
});

describe('connectFleet lifecycle', () => {
  it('after close nothing is pending, breakers recover on their own, and the caller’s Redis client stays open', async () => {
    const live = new Set<unknown>();
    const clock: Clock = {
      now: realClock.now,
      setTimeout: (fn, ms) => {
        const handle = realClock.setTimeout(() => {
          live.delete(handle);
          fn();
        }, ms);
        live.add(handle);
        return handle;
      },
      clearTimeout: (handle) => {
        live.delete(handle);
        realClock.clearTimeout(handle);
      },
    };
    const name = uniqueFleet('close');
    const { registry, redis, fleet } = await join(name, { clock, digestPeriodMs: 1_000, leaseMs: 3_000 });
    const breaker = registry.get('venue', { recoveryTimeoutMs: 20, recovery: { baseDelayMs: 10, maxDelayMs: 1_000, multiplier: 2, jitterFactor: 0 } });
    await breaker.execute(fail).catch(() => {});
    await waitFor(() => breaker.state === 'halfOpen', 2_000, 'the lease holder to recover');
    expect(fleet.stats().leases.acquired).toBe(1);
    expect(live.size).toBeGreaterThan(0); // the digest push and the lease renewal
    const lease = fleetKeys(name).lease('venue');
    expect(await redis.get(lease)).not.toBeNull();

    await fleet.close();
    await fleet.close(); // idempotent
    expect(live.size).toBe(0);
    expect(await redis.get(lease)).toBeNull(); // released, not left to expire
    expect(redis.status).toBe('ready');

    await breaker.execute(fail).catch(() => {}); // a failed probe: open again
    expect(breaker.state).toBe('open');
    await waitFor(() => breaker.state === 'halfOpen', 2_000, 'local recovery after close');
    expect(fleet.stats().leases).toMatchObject({ acquired: 1, localGrants: 0 });
  });

  it('resolves in local mode when Redis cannot be reached, and joins when it comes up', async () => {
    const port = await freePort();
    const name = uniqueFleet('late-redis');
    const started = performance.now();
    const { registry, fleet } = await join(name, { connectTimeoutMs: 300 }, `redis://127.0.0.1:${port}`);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(fleet.stats().connected).toBe(false);
    const breaker = registry.get('venue');
    expect(await breaker.execute(async () => 'works locally')).toBe('works locally');
    const server = await startRedis(port);
    cleanups.push(() => stopRedis(server));
    await waitFor(() => fleet.stats().connected, 3_000, 'the fleet to connect');
  });

  it('reports every invalid option at once', async () => {
    const registry = new BreakerRegistry();
    cleanups.push(() => registry.dispose());
    const error = await connectFleet(registry, { redis: {} as Redis, fleet: '', leaseMs: -1, policy: { quorum: 0 }, colour: 'red' } as never).catch((e: unknown) => e);
    expect(isConfigError(error)).toBe(true);
    const options = (error as { problems: Array<{ option: string }> }).problems.map((p) => p.option).sort();
    expect(options).toEqual(['colour', 'fleet', 'leaseMs', 'policy', 'redis']);
  });
});
