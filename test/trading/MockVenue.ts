import type { SimulatedClock } from 'xstate';

/** An order as the mock venue takes it. */
export interface Order {
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly qty: number;
  readonly price: number;
}

export interface Fill {
  readonly orderId: string;
  readonly filledQty: number;
}

export interface Quote {
  readonly symbol: string;
  readonly bid: number;
  readonly ask: number;
}

/** The venue's business answer: the node worked, the order was not acceptable. */
export class VenueRejection extends Error {
  override readonly name = 'VenueRejection';
  constructor(readonly code: 'INSUFFICIENT_MARGIN' | 'UNKNOWN_ORDER') {
    super(`venue rejected: ${code}`);
  }
}

/** The node itself failed (a 5xx, a dropped connection). */
export class VenueUnavailable extends Error {
  override readonly name = 'VenueUnavailable';
}

/** The scripted phases of the venue. */
export type Phase = 'fast' | 'degraded' | 'hung' | 'recovering';

/** Latency of every call in a phase, and every `failEvery`-th call fails with VenueUnavailable (0 = never). */
export interface PhaseProfile {
  readonly latencyMs: number;
  readonly failEvery: number;
}

export const DEFAULT_PROFILES: Readonly<Record<Phase, PhaseProfile>> = {
  fast: { latencyMs: 5, failEvery: 0 },
  degraded: { latencyMs: 350, failEvery: 0 },
  hung: { latencyMs: Number.POSITIVE_INFINITY, failEvery: 0 },
  recovering: { latencyMs: 40, failEvery: 0 },
};

interface Held {
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * A venue client whose latency and failure profile is scripted by phase, on a SimulatedClock: each call
 * advances the clock by the phase's latency before answering, or (hung) holds its answer until
 * `releaseHung()`. Methods read private fields, so calling them with the wrong `this` throws.
 */
export class MockVenue {
  /** A non-function property: must pass through the wrapper. */
  readonly venueName = 'MOCK-X';
  phase: Phase = 'fast';
  /** Orders worth more than this (qty × price) are rejected for margin: a business rejection. */
  marginLimit = 1_000_000;
  /** Every invocation that reached the venue, in order. */
  readonly calls: { readonly operation: string; readonly at: number; readonly phase: Phase }[] = [];

  readonly #clock: SimulatedClock;
  readonly #profiles: Record<Phase, PhaseProfile>;
  readonly #held: Held[] = [];
  #answered = 0;
  #orderSeq = 0;
  readonly #openOrders = new Set<string>();

  constructor(clock: SimulatedClock, profiles: Partial<Record<Phase, PhaseProfile>> = {}) {
    this.#clock = clock;
    this.#profiles = { ...DEFAULT_PROFILES, ...profiles };
  }

  /** Calls of `operation` that reached the venue. */
  count(operation: string): number {
    return this.calls.filter((c) => c.operation === operation).length;
  }

  /** Calls held by the hung node. */
  get pending(): number {
    return this.#held.length;
  }

  placeOrder(order: Order, options?: { signal?: AbortSignal }): Promise<Fill> {
    return this.#answer('placeOrder', options?.signal, () => {
      if (order.qty * order.price > this.marginLimit) throw new VenueRejection('INSUFFICIENT_MARGIN');
      const orderId = `o-${++this.#orderSeq}`;
      this.#openOrders.add(orderId);
      return { orderId, filledQty: order.qty };
    });
  }

  cancelOrder(orderId: string): Promise<{ readonly orderId: string; readonly cancelled: true }> {
    return this.#answer('cancelOrder', undefined, () => {
      if (!this.#openOrders.delete(orderId)) throw new VenueRejection('UNKNOWN_ORDER');
      return { orderId, cancelled: true as const };
    });
  }

  getQuote(symbol: string): Promise<Quote> {
    return this.#answer('getQuote', undefined, () => ({ symbol, bid: 99.5, ask: 100.5 }));
  }

  ping(signal?: AbortSignal): Promise<'pong'> {
    return this.#answer('ping', signal, () => 'pong' as const);
  }

  /** Settles every held call: answered now (with the current clock) or failed. */
  releaseHung(outcome: 'answer' | 'fail' = 'answer'): void {
    const held = this.#held.splice(0);
    for (const h of held) {
      if (outcome === 'answer') h.resolve();
      else h.reject(new VenueUnavailable('connection reset after hang'));
    }
  }

  #answer<T>(operation: string, signal: AbortSignal | undefined, produce: () => T): Promise<T> {
    this.calls.push({ operation, at: this.#clock.now(), phase: this.phase });
    const profile = this.#profiles[this.phase];
    if (!Number.isFinite(profile.latencyMs)) {
      return new Promise<T>((resolve, reject) => {
        const held: Held = {
          resolve: () => {
            try {
              resolve(produce());
            } catch (error) {
              reject(error);
            }
          },
          reject,
        };
        this.#held.push(held);
        signal?.addEventListener('abort', () => {
          const i = this.#held.indexOf(held);
          if (i >= 0) this.#held.splice(i, 1);
          reject(signal.reason);
        }, { once: true });
      });
    }
    this.#clock.increment(profile.latencyMs);
    this.#answered++;
    if (profile.failEvery > 0 && this.#answered % profile.failEvery === 0) {
      return Promise.reject(new VenueUnavailable(`${operation} failed (${this.phase})`));
    }
    try {
      return Promise.resolve(produce());
    } catch (error) {
      return Promise.reject(error);
    }
  }
}

/** Lets queued promise callbacks run (no real time passes). */
export async function flush(times = 5): Promise<void> {
  for (let i = 0; i < times; i++) await Promise.resolve();
}
