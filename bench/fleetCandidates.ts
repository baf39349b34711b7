import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import type { CircuitBreaker } from '../src/breaker/CircuitBreaker.js';
import type { CircuitBreakerOptions } from '../src/config/CircuitBreakerOptions.js';
import { compileLoop } from './compileLoop.js';
import type { Candidate } from './interleave.js';
import { benchBreakerOptions, resolvesAtOnce } from './peers.js';

/** Names of the fleet rows. */
export const FLEET = {
  bare: 'bare await fn()',
  local: 'registry breaker execute, local',
  connected: 'registry breaker execute, fleet connected (default options, latency digest on)',
  connectedNoDigest: 'registry breaker execute, fleet connected, digestPeriodMs: 0',
} as const;

interface RegistryLike {
  get(key: string, overrides?: CircuitBreakerOptions): CircuitBreaker;
  dispose(): void;
}
interface FleetLike {
  latency(breaker: string): Promise<{ readonly count: number }>;
  close(): Promise<void>;
}
type ConnectFleet = (registry: RegistryLike, options: { redis: Redis; fleet: string; digestPeriodMs?: number }) => Promise<FleetLike>;

/** The fleet rows ready to measure, or why they cannot be. */
export type FleetSetup =
  | { readonly available: true; readonly candidates: Candidate[]; readonly close: () => Promise<void> }
  | { readonly available: false; readonly why: string };

/**
 * The closed path with the fleet connected (issue 9's bench row): registry breakers side by side, one
 * local, one whose registry is connected to a real `redis-server` started here on a free port (and
 * stopped by `close`) with the default fleet options — fleet-wide latency on, its digest fed from the
 * window by a timer (checked here: the row is unavailable if the default stops sharing latency) — and one
 * connected with latency sharing off (`digestPeriodMs: 0`). Both must equal local within noise: the
 * digest's cost is on its timer (interleaved into the rounds like any other timer), never per call.
 * Unavailable, with the reason, until `connectFleet` is exported from src/fleet/.
 *
 * @example
 * ```ts
 * const setup = await fleetCandidates();
 * if (setup.available) { await interleave(setup.candidates, opts); await setup.close(); }
 * ```
 */
export async function fleetCandidates(): Promise<FleetSetup> {
  let connectFleet: ConnectFleet | undefined;
  let BreakerRegistry: (new (defaults: CircuitBreakerOptions) => RegistryLike) | undefined;
  try {
    const fleetModule = (await import('../src/fleet/index.js')) as Record<string, unknown>;
    connectFleet = fleetModule['connectFleet'] as ConnectFleet | undefined;
    const registryModule = (await import('../src/trading/BreakerRegistry.js')) as Record<string, unknown>;
    BreakerRegistry = registryModule['BreakerRegistry'] as typeof BreakerRegistry;
  } catch (error) {
    return { available: false, why: `src/fleet or src/trading failed to load: ${(error as Error).message}` };
  }
  if (typeof connectFleet !== 'function') return { available: false, why: 'connectFleet is not exported from src/fleet/index.ts yet' };
  if (typeof BreakerRegistry !== 'function') return { available: false, why: 'BreakerRegistry is not exported from src/trading/BreakerRegistry.ts' };

  const server = await startRedisServer();
  if (!server.ok) return { available: false, why: server.why };
  const client = new Redis(server.port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 1 });
  const localRegistry = new BreakerRegistry(benchBreakerOptions);
  const fleetRegistry = new BreakerRegistry(benchBreakerOptions);
  const noDigestRegistry = new BreakerRegistry(benchBreakerOptions);
  const stop = async (): Promise<void> => {
    localRegistry.dispose();
    fleetRegistry.dispose();
    noDigestRegistry.dispose();
    client.disconnect();
    await server.stop();
  };
  const fleets: FleetLike[] = [];
  const local = localRegistry.get('venue');
  const connected = fleetRegistry.get('venue');
  const connectedNoDigest = noDigestRegistry.get('venue');
  const fn = resolvesAtOnce;
  try {
    await client.connect();
    const defaults = await connectFleet(fleetRegistry, { redis: client, fleet: 'p99-breaker-bench' });
    fleets.push(defaults);
    // Its own fleet name, so that the two connected registries do not hear each other.
    fleets.push(await connectFleet(noDigestRegistry, { redis: client, fleet: 'p99-breaker-bench-no-digest', digestPeriodMs: 0 }));
    // The default row is only meaningful while the defaults share latency: a few calls must reach the digest.
    for (let i = 0; i < 10; i++) await connected.execute(fn);
    const { count } = await defaults.latency('venue');
    if (count !== 10) throw new Error(`with default options fleet.latency() summarized ${count} of 10 calls: latency sharing is not on by default`);
  } catch (error) {
    for (const fleet of fleets) await fleet.close().catch(() => {});
    await stop();
    return { available: false, why: `connectFleet failed: ${(error as Error).message}` };
  }
  return {
    available: true,
    candidates: [
      { name: FLEET.bare, batch: compileLoop('sequential', () => fn()) },
      { name: FLEET.local, batch: compileLoop('sequential', () => local.execute(fn)) },
      { name: FLEET.connected, batch: compileLoop('sequential', () => connected.execute(fn)) },
      { name: FLEET.connectedNoDigest, batch: compileLoop('sequential', () => connectedNoDigest.execute(fn)) },
    ],
    close: async () => {
      try {
        for (const fleet of fleets) await fleet.close();
      } finally {
        await stop();
      }
    },
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

async function startRedisServer(): Promise<{ ok: true; port: number; stop: () => Promise<void> } | { ok: false; why: string }> {
  const port = await freePort();
  try {
    execFileSync('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'yes'], { stdio: 'ignore' });
  } catch (error) {
    return { ok: false, why: `redis-server could not be started: ${(error as Error).message}` };
  }
  const stop = async (): Promise<void> => {
    try {
      execFileSync('redis-cli', ['-p', String(port), 'shutdown', 'nosave'], { stdio: 'ignore', timeout: 5_000 });
    } catch {
      // redis-cli exits non-zero when the server closes the connection on shutdown; that is success.
    }
  };
  // Wait (bounded, 5 s) until it answers.
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      const out = execFileSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8', timeout: 1_000, stdio: ['ignore', 'pipe', 'ignore'] });
      if (out.trim() === 'PONG') return { ok: true, port, stop };
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  return { ok: false, why: `redis-server on port ${port} did not answer PING within 5 s` };
}
