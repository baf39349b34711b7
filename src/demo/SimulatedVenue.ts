import type { Clock } from '../Clock.js';
import type { Scenario, ScenarioPhase } from './Scenario.js';

/** An order the demo sends. */
export interface DemoOrder {
  readonly id: number;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly qty: number;
}

/** The venue's trading client: the object the demo wraps with `createTradingCircuitBreaker`. */
export interface VenueClient {
  placeOrder(order: DemoOrder): Promise<{ orderId: number; status: 'filled' }>;
  cancelOrder(orderId: number): Promise<{ orderId: number; status: 'cancelled' }>;
  ping(signal?: AbortSignal): Promise<true>;
}

/**
 * A simulated venue or RPC node whose latency and errors follow the scenario's current phase: each call
 * answers after a log-normal latency (given by the phase's median and P99), fails with the phase's error
 * rate, or hangs until the client's timeout. Time comes from the injected clock, randomness from `random`.
 *
 * @example
 * ```ts
 * const venue = new SimulatedVenue(DEFAULT_SCENARIO, clock, seededRandom(1));
 * await venue.client.placeOrder({ id: 1, symbol: 'BTC-USD', side: 'buy', qty: 1 });
 * ```
 */
export class SimulatedVenue {
  readonly client: VenueClient;
  /** Calls the venue received (orders, cancels, pings): what was actually sent. */
  received = { orders: 0, cancels: 0, pings: 0 };
  readonly #phaseEnds: number[];
  readonly #startedAt: number;

  constructor(
    readonly scenario: Scenario,
    readonly clock: Clock,
    readonly random: () => number,
  ) {
    this.#startedAt = clock.now();
    let end = 0;
    this.#phaseEnds = scenario.phases.map((p) => (end += p.durationMs));
    this.client = {
      placeOrder: (order) => {
        this.received.orders++;
        return this.#answer(() => ({ orderId: order.id, status: 'filled' as const }));
      },
      cancelOrder: (orderId) => {
        this.received.cancels++;
        return this.#answer(() => ({ orderId, status: 'cancelled' as const }));
      },
      ping: () => {
        this.received.pings++;
        return this.#answer(() => true as const);
      },
    };
  }

  /** The phase in force at clock time `time` (the last phase after the end). */
  phaseAt(time: number): { index: number; phase: ScenarioPhase } {
    const elapsed = time - this.#startedAt;
    const index = this.#phaseEnds.findIndex((end) => elapsed < end);
    const i = index === -1 ? this.scenario.phases.length - 1 : index;
    return { index: i, phase: this.scenario.phases[i]! };
  }

  #answer<T>(value: () => T): Promise<T> {
    const { phase } = this.phaseAt(this.clock.now());
    return new Promise<T>((resolve, reject) => {
      if (phase.hang === true || phase.latency === undefined) {
        this.clock.setTimeout(() => reject(new Error(`client timeout after ${this.scenario.clientTimeoutMs} ms`)), this.scenario.clientTimeoutMs);
        return;
      }
      const latency = Math.min(this.scenario.clientTimeoutMs, this.#latency(phase.latency.medianMs, phase.latency.p99Ms));
      const fails = this.random() < (phase.errorRate ?? 0);
      this.clock.setTimeout(() => (fails ? reject(new Error('venue error: 503 service unavailable')) : resolve(value())), latency);
    });
  }

  /** Log-normal: median e^μ, P99 e^(μ + 2.326σ). */
  #latency(medianMs: number, p99Ms: number): number {
    const sigma = Math.log(p99Ms / medianMs) / 2.3263;
    const u1 = Math.max(this.random(), 1e-12);
    const u2 = this.random();
    const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    // Whole milliseconds keep simulated time exact (sums of integers do not drift).
    return Math.max(1, Math.round(medianMs * Math.exp(sigma * z)));
  }
}
