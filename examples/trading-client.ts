/**
 * A trading client wired through p99-breaker, against a scripted mock venue on a simulated clock
 * (finishes in milliseconds). Run it: `npx tsx examples/trading-client.ts`.
 *
 * The venue is fast, then rejects some orders for margin (business rejections: the circuit stays
 * closed), then hangs: orders keep coming, nothing completes, and the in-flight check opens the circuit.
 * While open, orders are refused without being sent and a cancel still goes out. Recovery asks a ping
 * health check, never a live order; a slow ping keeps it open, a fast one lets one probe order close it.
 */
import { SimulatedClock } from 'xstate';
import {
  BreakerRegistry,
  createTradingCircuitBreaker,
  isCircuitOpenError,
  PingHealthChecker,
  toHealthCheck,
  type Logger,
} from '../src/index.js';

interface Order {
  readonly symbol: string;
  readonly qty: number;
  readonly price: number;
}

class MarginRejection extends Error {
  override readonly name = 'MarginRejection';
}

/** A venue whose latency is scripted; `hung` holds every answer until `recover()`. */
class MockVenue {
  latencyMs = 5;
  hung = false;
  marginLimit = 1_000_000;
  sent = 0;
  readonly #clock: SimulatedClock;
  readonly #held: (() => void)[] = [];
  #ids = 0;

  constructor(clock: SimulatedClock) {
    this.#clock = clock;
  }

  placeOrder(order: Order): Promise<{ orderId: string }> {
    this.sent++;
    return this.#answer(() => {
      if (order.qty * order.price > this.marginLimit) throw new MarginRejection('insufficient margin');
      return { orderId: `o-${++this.#ids}` };
    });
  }

  cancelOrder(orderId: string): Promise<{ orderId: string; cancelled: boolean }> {
    return this.#answer(() => ({ orderId, cancelled: true }));
  }

  ping(): Promise<'pong'> {
    return this.#answer(() => 'pong' as const);
  }

  /** The node answers again: held calls complete now. */
  recover(latencyMs: number): void {
    this.hung = false;
    this.latencyMs = latencyMs;
    for (const release of this.#held.splice(0)) release();
  }

  #answer<T>(produce: () => T): Promise<T> {
    if (this.hung) return new Promise<T>((resolve) => this.#held.push(() => resolve(produce())));
    this.#clock.increment(this.latencyMs);
    try {
      return Promise.resolve(produce());
    } catch (error) {
      return Promise.reject(error);
    }
  }
}

const clock = new SimulatedClock();
const venue = new MockVenue(clock);
const quiet: Logger = { info: () => {}, warn: () => {}, error: (fields, msg) => console.error(msg, fields) };
const registry = new BreakerRegistry({ clock, random: () => 0.5, logger: quiet, windowSize: 200, minimumSamples: 50, recoveryTimeoutMs: 5_000 });
const pinger = new PingHealthChecker({ ping: () => venue.ping(), latencyThresholdMs: 200, clock });
const trading = createTradingCircuitBreaker(venue, {
  breaker: registry.get('mock-venue', { healthCheck: toHealthCheck(pinger) }),
  isBusinessRejection: (error) => error instanceof MarginRejection,
});
const { client, breaker } = trading;
breaker.onStateChange((c) => console.log(`  [t=${c.at} ms] ${c.from} → ${c.to} (${c.reason.trigger})`));
const settle = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};
const order: Order = { symbol: 'BTC-USD', qty: 1, price: 100 };

// 1. A fast venue.
const fills: string[] = [];
for (let i = 0; i < 200; i++) fills.push((await client.placeOrder(order)).orderId);
console.log(`fast venue: ${fills.length} orders filled, p99 ${breaker.stats().p99Ms} ms`);

// 2. Business rejections: the node answered, so they never trip the circuit.
venue.marginLimit = 0;
let rejections = 0;
for (let i = 0; i < 20; i++) await client.placeOrder(order).catch((e: unknown) => e instanceof MarginRejection && rejections++);
venue.marginLimit = 1_000_000;
console.log(`business rejections: ${rejections}, circuit ${breaker.state}`);

// 3. The node hangs; orders keep coming every 10 ms. Nothing completes, yet the circuit opens.
venue.hung = true;
const hanging: Promise<unknown>[] = [];
let submitted = 0;
while (breaker.state === 'closed' && submitted < 100) {
  hanging.push(client.placeOrder(order).catch((e: unknown) => e));
  submitted++;
  clock.increment(10);
}
const tripped = await client.placeOrder(order).catch((e: unknown) => e);
if (isCircuitOpenError(tripped) && tripped.reason.trigger === 'p99') {
  console.log(`venue hung: circuit opened after ${submitted} orders, no call completed (P99 ${tripped.reason.valueMs} ms, ${tripped.reason.inFlightSlow} in-flight calls overdue)`);
}

// 4. While open: orders refused without being sent (tryClient: no exception per refusal); a cancel goes out.
const sentBefore = venue.sent;
let refused = 0;
for (let i = 0; i < 50; i++) if (!(await trading.tryClient.placeOrder(order)).ok) refused++;
venue.recover(350); // answers again, but slowly; the held orders complete late (counted, not judged)
await Promise.all(hanging);
const cancel = await client.cancelOrder(fills[0]!);
console.log(`while open: refused ${refused} orders (${venue.sent - sentBefore} sent), cancel ${cancel.cancelled ? 'sent' : 'failed'}`);

// 5. Recovery asks the ping, not an order: slow ping keeps it open, a fast one lets a probe through.
clock.increment(breaker.stats().nextAttemptAt! - clock.now());
await settle();
console.log(`health check: ping ${pinger.lastResult?.latencyMs} ms → ${pinger.lastResult?.outcome}, circuit ${breaker.state}`);
venue.recover(20);
clock.increment(breaker.stats().nextAttemptAt! - clock.now());
await settle();
console.log(`health check: ping ${pinger.lastResult?.latencyMs} ms → ${pinger.lastResult?.outcome}, circuit ${breaker.state}`);
const probe = await client.placeOrder(order);
console.log(`probe order ${probe.orderId} filled: circuit ${breaker.state}`);

const { counts } = breaker.stats();
console.log(`counts: succeeded ${counts.succeeded}, failed ${counts.failed}, rejected ${counts.rejected}, business ${counts.businessRejected}`);
trading.dispose();
registry.dispose();
