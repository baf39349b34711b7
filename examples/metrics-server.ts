/**
 * Serves a breaker's Prometheus metrics on http://127.0.0.1:<port>/metrics (and its long-horizon latency
 * digest as JSON on /digest), with a scripted trip and recovery on a simulated clock.
 *
 *   npx tsx examples/metrics-server.ts            # port 9464, or PORT=…
 *   curl -s http://127.0.0.1:9464/metrics | grep p99_breaker_
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import pino from 'pino';
import { Registry } from 'prom-client';
import { SimulatedClock } from 'xstate';
import {
  createCircuitBreaker,
  registerBreakerMetrics,
  trackLatencyDigest,
  type CircuitBreaker,
  type LatencyDigestTracker,
  type Logger,
} from '../src/index.js';

/** A running example server. */
export interface MetricsServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly registry: Registry;
  readonly breaker: CircuitBreaker;
  readonly clock: SimulatedClock;
  readonly latency: LatencyDigestTracker;
  /** 200 fast calls (20 ms), then slow ones (350 ms) until the P99 rule opens the circuit, then 3 refused calls. */
  trip(): Promise<void>;
  /** Waits out the backoff on the simulated clock (→ halfOpen), then one fast probe (→ closed). */
  recover(): Promise<void>;
  close(): Promise<void>;
}

/** Options of {@link startMetricsServer}. */
export interface MetricsServerOptions {
  /** Port on 127.0.0.1; 0 picks a free one. Defaults to 9464. */
  readonly port?: number;
  /** The breaker's logger. Defaults to pino on stdout. */
  readonly logger?: Logger;
}

/**
 * Starts the example: one breaker on a `SimulatedClock`, its metrics in a fresh prom-client registry,
 * served over node:http on 127.0.0.1.
 *
 * @example
 * ```ts
 * const server = await startMetricsServer({ port: 0 });
 * await server.trip();
 * console.log(await (await fetch(`${server.url}/metrics`)).text());
 * await server.close();
 * ```
 */
export async function startMetricsServer(options: MetricsServerOptions = {}): Promise<MetricsServer> {
  const clock = new SimulatedClock();
  const breaker = createCircuitBreaker({
    name: 'venue-rpc',
    clock,
    random: () => 0.5,
    latencyThresholdMs: 200,
    windowSize: 100,
    minimumSamples: 20,
    recoveryTimeoutMs: 1_000,
    recovery: { baseDelayMs: 1_000, jitterFactor: 0 },
    halfOpenRequests: 1,
    logger: options.logger ?? pino(),
  });
  const registry = new Registry();
  // Both pull from the breaker's window every simulated second (50 calls < windowSize): nothing per call.
  const metrics = registerBreakerMetrics(breaker, { registry, clock });
  const latency = trackLatencyDigest(breaker, { clock });

  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (req.method !== 'GET' || (path !== '/metrics' && path !== '/digest')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    if (path === '/digest') {
      latency.flush();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(latency.digest.toJSON()));
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(error)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 9464, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  /** A call that takes `latencyMs` of simulated time. */
  const call = (latencyMs: number) =>
    breaker.execute(() => {
      clock.increment(latencyMs);
      return 'ack';
    });

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    registry,
    breaker,
    clock,
    latency,
    async trip() {
      for (let i = 0; i < 200; i++) await call(20);
      for (let i = 0; i < 10 && breaker.state === 'closed'; i++) await call(350);
      for (let i = 0; i < 3; i++) await call(20).catch(() => undefined); // refused: CircuitOpenError
    },
    async recover() {
      const { nextAttemptAt } = breaker.stats();
      if (nextAttemptAt !== null) clock.increment(Math.max(0, nextAttemptAt - clock.now()));
      await call(30);
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      metrics.unregister();
      latency.dispose();
      breaker.dispose();
    },
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const server = await startMetricsServer({ port: Number(process.env.PORT ?? 9464) });
  await server.trip();
  await server.recover();
  console.log(`metrics on ${server.url}/metrics, latency digest on ${server.url}/digest (Ctrl-C to stop)`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
