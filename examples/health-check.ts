/**
 * Recovery through a health check, never through a live order. Runs on a simulated clock and finishes in
 * milliseconds: `npx tsx examples/health-check.ts`.
 *
 * An RPC node gets slow: the P99 of its last calls passes 200 ms and the circuit opens. When the backoff
 * ends, the breaker asks the node's cheap `/health` endpoint instead of risking an order:
 *   1. the node says it is unhealthy  → open again, the next wait doubles (30 s → 60 s);
 *   2. the health check hangs         → it is aborted after `healthCheckTimeoutMs`, open again (120 s);
 *   3. the node is healthy            → half-open: one fast probe call closes the circuit.
 */
import { SimulatedClock } from 'xstate';
import { createCircuitBreaker, isCircuitOpenError, type Logger } from '../src/index.js';

const clock = new SimulatedClock();
const quiet: Logger = { info() {}, warn() {}, error() {} };
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** A node whose latency and health are scripted; every call moves the simulated clock. */
const node = {
  latencyMs: 20,
  health: 'healthy' as 'healthy' | 'unhealthy' | 'hangs',
  async getBlockNumber(): Promise<number> {
    clock.increment(this.latencyMs);
    return 19_000_000;
  },
  /** Stands for `fetch('http://node:8545/health', { signal })`: it honours the abort signal. */
  ping(signal: AbortSignal): Promise<boolean> {
    if (this.health === 'hangs') {
      return new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error(`aborted: ${String(signal.reason)}`))));
    }
    return Promise.resolve(this.health === 'healthy');
  },
};

const breaker = createCircuitBreaker({
  name: 'eth-rpc',
  clock,
  random: () => 0.5, // no jitter, so the printed schedule is exact: 30 s, 60 s, 120 s
  logger: quiet,
  latencyThresholdMs: 200,
  minimumSamples: 50,
  healthCheck: (signal) => node.ping(signal),
  healthCheckTimeoutMs: 5_000,
});

breaker.onStateChange((c) => {
  const next = c.to !== 'open' || c.nextAttemptAt === null ? '' : `, next attempt in ${seconds(c.nextAttemptAt - c.at)}`;
  console.log(`[t=${seconds(c.at)}] ${c.from} → ${c.to}: ${JSON.stringify(c.reason)} (attempt ${c.attempt}${next})`);
});

/** Lets the invoked health check's promise settle (it runs on the real microtask queue). */
const settle = () => new Promise((resolve) => setImmediate(resolve));
const waitUntilNextAttempt = async () => {
  clock.increment(breaker.stats().nextAttemptAt! - clock.now());
  await settle();
};

for (let i = 0; i < 60; i++) await breaker.execute(() => node.getBlockNumber());
node.latencyMs = 450; // the node degrades
while (breaker.state === 'closed') await breaker.execute(() => node.getBlockNumber());

try {
  await breaker.execute(() => node.getBlockNumber());
} catch (e) {
  if (!isCircuitOpenError(e)) throw e;
  console.log(`refused without calling the node: retry in ${seconds(e.retryAfterMs ?? 0)}`);
}

node.health = 'unhealthy';
await waitUntilNextAttempt();

node.health = 'hangs';
await waitUntilNextAttempt();
clock.increment(5_000); // the health check times out
await settle();

node.health = 'healthy';
node.latencyMs = 20;
await waitUntilNextAttempt();
console.log(`state after a healthy check: ${breaker.state}`);
await breaker.execute(() => node.getBlockNumber()); // the probe
console.log(`final state: ${breaker.state}, stats: ${JSON.stringify(breaker.stats().counts)}`);
breaker.dispose();
