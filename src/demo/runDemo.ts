import { realClock, type Clock } from '../Clock.js';
import type { CircuitBreaker } from '../breaker/CircuitBreaker.js';
import type { BreakerState } from '../breaker/BreakerState.js';
import type { StateChange } from '../breaker/StateChange.js';
import type { CircuitBreakerOptions } from '../config/CircuitBreakerOptions.js';
import { isCircuitOpenError } from '../errors/CircuitOpenError.js';
import type { Logger } from '../Logger.js';
import { createTradingCircuitBreaker } from '../trading/createTradingCircuitBreaker.js';
import { toHealthCheck } from '../trading/HealthChecker.js';
import { PingHealthChecker } from '../trading/PingHealthChecker.js';
import { DEFAULT_SCENARIO } from './defaultScenario.js';
import { scenarioDurationMs, type Scenario } from './Scenario.js';
import { seededRandom } from './seededRandom.js';
import { SimulatedVenue, type DemoOrder } from './SimulatedVenue.js';
import { SteppingClock } from './SteppingClock.js';

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** The scenario. Defaults to the embedded latency storm. */
  readonly scenario?: Scenario;
  /** Seed of the venue's randomness and the breaker's jitter. Defaults to 1. */
  readonly seed?: number;
  /**
   * Simulated ms per real ms. Defaults to `Infinity` (as fast as possible); the CLI paces the default run
   * at 20× so a person can watch ten minutes of trading in well under a minute.
   */
  readonly speed?: number;
  /** Run on the real clock in real time instead of a simulated clock. */
  readonly realtime?: boolean;
  /** Called about every `frameMs` of simulated time with the current view. */
  readonly onFrame?: (frame: DemoFrame) => void;
  /** Simulated ms between frames. Defaults to 1000. */
  readonly frameMs?: number;
  /** Extra breaker options (e.g. `inspect`). */
  readonly breakerOptions?: CircuitBreakerOptions;
  /** Called once with the breaker, before the first order (e.g. to attach the live viewer). */
  readonly onBreaker?: (breaker: CircuitBreaker) => void;
  /** Logger for the breaker. Defaults to one that drops everything (the demo prints its own view). */
  readonly logger?: Logger;
}

/** What the live view shows at one moment. */
export interface DemoFrame {
  /** Simulated ms since the start. */
  readonly elapsedMs: number;
  readonly durationMs: number;
  readonly phase: string;
  readonly state: BreakerState;
  readonly p99Ms: number | null;
  readonly thresholdMs: number;
  readonly errorRate: number;
  readonly orders: OrderTally;
  /** Ms until the next recovery attempt, or null. */
  readonly nextAttemptInMs: number | null;
  readonly lastChange: StateChange | null;
}

/** Every order ends exactly once: sent (then succeeded or failed) or refused. */
export interface OrderTally {
  submitted: number;
  sent: number;
  refused: number;
  succeeded: number;
  failed: number;
  inFlight: number;
}

/** One point of the report's P99 chart. */
export interface DemoPoint {
  readonly elapsedMs: number;
  readonly p99Ms: number | null;
  readonly state: BreakerState;
}

/** The outcome of a demo run: the timeline, the chart series and the tally. */
export interface DemoResult {
  readonly scenario: Scenario;
  readonly seed: number;
  readonly durationMs: number;
  readonly thresholdMs: number;
  /** Every transition, with simulated ms since the start. */
  readonly transitions: ReadonlyArray<StateChange & { readonly elapsedMs: number; readonly phase: string }>;
  /** Phase boundaries in simulated ms. */
  readonly phases: ReadonlyArray<{ readonly name: string; readonly startMs: number; readonly endMs: number }>;
  readonly points: readonly DemoPoint[];
  readonly orders: Readonly<OrderTally>;
  readonly venueReceived: Readonly<{ orders: number; cancels: number; pings: number }>;
  readonly finalState: BreakerState;
}

/**
 * Runs a simulated trading session: orders flow at a steady rate through `createTradingCircuitBreaker` to
 * a simulated venue that follows the scenario, with a ping health check. On a simulated clock ten minutes
 * of trading take seconds; every timer fires at its exact time, so latencies are exact.
 *
 * @example
 * ```ts
 * const result = await runDemo({ seed: 7 });
 * console.log(result.transitions.map((t) => `${t.from} → ${t.to}`));
 * ```
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const scenario = options.scenario ?? DEFAULT_SCENARIO;
  const seed = options.seed ?? 1;
  const speed = options.speed ?? Infinity;
  const frameMs = options.frameMs ?? 1000;
  const stepping = options.realtime === true ? undefined : new SteppingClock();
  const clock: Clock = stepping ?? realClock;
  const venueRandom = seededRandom(seed);
  const jitterRandom = seededRandom(seed ^ 0x9e3779b9);
  const venue = new SimulatedVenue(scenario, clock, venueRandom);
  const thresholdMs = scenario.breaker?.latencyThresholdMs ?? 200;
  const quiet: Logger = { info() {}, warn() {}, error() {} };
  const checker = new PingHealthChecker({ ping: (signal) => venue.client.ping(signal), latencyThresholdMs: thresholdMs, clock });

  const trading = createTradingCircuitBreaker(venue.client, {
    breaker: {
      name: 'venue',
      ...(scenario.breaker ?? {}),
      ...(options.breakerOptions ?? {}),
      healthCheck: toHealthCheck(checker),
      clock,
      random: jitterRandom,
      logger: options.logger ?? quiet,
    },
    logger: options.logger ?? quiet,
  });
  const breaker = trading.breaker;
  options.onBreaker?.(breaker);

  const startedAt = clock.now();
  const durationMs = scenarioDurationMs(scenario);
  const elapsed = (): number => clock.now() - startedAt;
  const transitions: Array<StateChange & { elapsedMs: number; phase: string }> = [];
  breaker.onStateChange((change) => {
    transitions.push({ ...change, elapsedMs: change.at - startedAt, phase: venue.phaseAt(change.at).phase.name });
  });
  const points: DemoPoint[] = [];
  const orders: OrderTally = { submitted: 0, sent: 0, refused: 0, succeeded: 0, failed: 0, inFlight: 0 };

  const submit = (id: number): void => {
    orders.submitted++;
    const order: DemoOrder = { id, symbol: 'BTC-USD', side: id % 2 === 0 ? 'buy' : 'sell', qty: 1 };
    const sentBefore = venue.received.orders;
    const call = trading.client.placeOrder(order);
    // The venue counts what it received: the order was sent iff its counter moved synchronously.
    const sent = venue.received.orders !== sentBefore;
    if (sent) {
      orders.sent++;
      orders.inFlight++;
    }
    call.then(
      () => {
        orders.inFlight--;
        orders.succeeded++;
      },
      (error: unknown) => {
        if (isCircuitOpenError(error)) orders.refused++;
        else {
          orders.inFlight--;
          orders.failed++;
        }
      },
    );
  };

  const frame = (): DemoFrame => {
    const stats = breaker.stats();
    return {
      elapsedMs: elapsed(),
      durationMs,
      phase: venue.phaseAt(clock.now()).phase.name,
      state: stats.state,
      p99Ms: stats.p99Ms,
      thresholdMs,
      errorRate: stats.errorRate,
      orders: { ...orders },
      nextAttemptInMs: stats.nextAttemptAt === null ? null : Math.max(0, stats.nextAttemptAt - clock.now()),
      lastChange: transitions.at(-1) ?? null,
    };
  };

  const intervalMs = 1000 / scenario.orderRatePerSecond;
  let nextOrderAt = startedAt;
  let nextFrameAt = startedAt;
  let orderId = 0;
  const realStart = performance.now();
  const endAt = startedAt + durationMs;

  while (clock.now() < endAt) {
    const now = clock.now();
    if (now >= nextFrameAt) {
      const f = frame();
      points.push({ elapsedMs: f.elapsedMs, p99Ms: f.p99Ms, state: f.state });
      options.onFrame?.(f);
      nextFrameAt += frameMs;
    }
    if (now >= nextOrderAt) {
      submit(++orderId);
      nextOrderAt += intervalMs;
    }
    const target = Math.min(nextOrderAt, nextFrameAt, endAt, stepping?.nextDueAt() ?? Infinity);
    if (stepping !== undefined) {
      if (Number.isFinite(speed)) await pace(realStart, target - startedAt, speed);
      stepping.advanceTo(target);
      await drain();
    } else {
      await sleep(Math.max(0, target - clock.now()));
    }
  }
  // Let every order still in flight finish (the client's timeout bounds them), so the tally is complete.
  const settleDeadline = clock.now() + scenario.clientTimeoutMs + 1;
  while (orders.inFlight > 0 && clock.now() <= settleDeadline) {
    if (stepping !== undefined) {
      stepping.advanceTo(Math.min(settleDeadline, stepping.nextDueAt() ?? settleDeadline));
      await drain();
    } else {
      await sleep(10);
    }
  }
  await drain();
  const last = frame();
  points.push({ elapsedMs: last.elapsedMs, p99Ms: last.p99Ms, state: last.state });
  const finalState = breaker.state;
  trading.dispose(); // disposes the breaker it created

  let start = 0;
  const phases = scenario.phases.map((p) => ({ name: p.name, startMs: start, endMs: (start += p.durationMs) }));
  return { scenario, seed, durationMs, thresholdMs, transitions, phases, points, orders: { ...orders }, venueReceived: { ...venue.received }, finalState };
}

/** Lets every promise continuation that the last timers released run, without moving simulated time. */
function drain(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Keeps a paced simulation at `speed` simulated ms per real ms. */
async function pace(realStart: number, simulatedElapsedMs: number, speed: number): Promise<void> {
  const due = realStart + simulatedElapsedMs / speed;
  const wait = due - performance.now();
  if (wait > 4) await sleep(wait);
}
