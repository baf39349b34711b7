import type { Redis } from 'ioredis';
import type { RecoveryCoordinator } from '../../machines/breakerMachine.js';
import type { Clock } from '../Clock.js';
import type { FleetKeys } from './fleetKeys.js';
import { CLAIM_SCRIPT, RELEASE_SCRIPT, RENEW_SCRIPT, runScript } from './fleetScripts.js';

/**
 * What {@link FleetLeases} needs from its fleet connection.
 *
 * @example
 * ```ts
 * const deps: FleetLeasesDeps = { redis, keys, token, leaseMs: 5000, standByMs: 500, claimTimeoutMs: 250, clock, isReady, onRedisError };
 * ```
 */
export interface FleetLeasesDeps {
  readonly redis: Redis;
  readonly keys: FleetKeys;
  /** This connection's lease token (unique per connection, so a restarted process never inherits a lease). */
  readonly token: string;
  readonly leaseMs: number;
  readonly standByMs: number;
  readonly claimTimeoutMs: number;
  readonly clock: Clock;
  /** True when Redis can be asked now. */
  isReady(): boolean;
  onRedisError(error: unknown): void;
}

/**
 * The recovery leases of one fleet connection: "one fleet, one set of probes". A breaker whose backoff
 * ends asks {@link FleetLeases.coordinatorFor}'s `claimRecovery`; the instance that takes the lease
 * (`SET NX PX` with its token, in a script) recovers, the others stand by. Held leases are renewed every
 * `leaseMs / 3` while the recovery runs, so only a dead holder lets one expire. When Redis is unreachable
 * or slower than `claimTimeoutMs`, the claim is granted locally: Redis must never keep a breaker open.
 *
 * @example
 * ```ts
 * const leases = new FleetLeases({ redis, keys, token, leaseMs: 5000, standByMs: 500, claimTimeoutMs: 250, clock, isReady, onRedisError });
 * breaker.setRecoveryCoordinator(leases.coordinatorFor(breaker.name));
 * await leases.close();
 * ```
 */
export class FleetLeases {
  acquired = 0;
  denied = 0;
  localGrants = 0;

  readonly #d: FleetLeasesDeps;
  readonly #held = new Set<string>();
  /** Claims waiting for Redis: resolved (granted locally) on close. */
  readonly #pending = new Set<() => void>();
  #renewTimer: unknown;
  #closed = false;

  constructor(deps: FleetLeasesDeps) {
    this.#d = deps;
  }

  /** The coordinator to give the breaker named `breaker`. */
  coordinatorFor(breaker: string): RecoveryCoordinator {
    return Object.freeze({ claimRecovery: () => this.claim(breaker), standByMs: this.#d.standByMs });
  }

  /** True while this connection holds the breaker's lease. */
  holds(breaker: string): boolean {
    return this.#held.has(breaker);
  }

  /** Resolves true when this instance may recover now. Never rejects. */
  claim(breaker: string): Promise<boolean> {
    const d = this.#d;
    if (this.#closed || !d.isReady()) {
      this.localGrants++;
      return Promise.resolve(true);
    }
    return new Promise<boolean>((resolve) => {
      let done = false;
      const finish = (granted: boolean, local: boolean): void => {
        if (done) return;
        done = true;
        d.clock.clearTimeout(timer);
        this.#pending.delete(onClose);
        if (local) this.localGrants++;
        resolve(granted);
      };
      const onClose = (): void => finish(true, true);
      const timer = d.clock.setTimeout(() => {
        d.onRedisError(new Error(`recovery lease claim took longer than ${d.claimTimeoutMs} ms`));
        finish(true, true);
      }, d.claimTimeoutMs);
      this.#pending.add(onClose);
      runScript(d.redis, CLAIM_SCRIPT, [d.keys.lease(breaker)], [d.token, d.leaseMs]).then(
        (reply) => {
          if (done) {
            // Too late: the breaker already recovers on its own. Do not sit on a lease nobody renews.
            if (reply === 1) this.#releaseNow(breaker);
            return;
          }
          if (reply === 1) {
            this.#held.add(breaker);
            this.acquired++;
            this.#armRenewal();
            finish(true, false);
          } else {
            this.denied++;
            finish(false, false);
          }
        },
        (error: unknown) => {
          d.onRedisError(error);
          finish(true, true);
        },
      );
    });
  }

  /** The lease was handed back by a publishing script: stop renewing it. */
  forget(breaker: string): void {
    this.#held.delete(breaker);
  }

  /** Frees the breaker's lease if held (compare-and-delete), without waiting. */
  release(breaker: string): void {
    if (!this.#held.delete(breaker)) return;
    this.#releaseNow(breaker);
  }

  /** Releases every held lease (waiting at most `claimTimeoutMs`), resolves waiting claims, clears timers. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const resolvePending of [...this.#pending]) resolvePending();
    if (this.#renewTimer !== undefined) this.#d.clock.clearTimeout(this.#renewTimer);
    this.#renewTimer = undefined;
    const held = [...this.#held];
    this.#held.clear();
    if (held.length === 0 || !this.#d.isReady()) return;
    let timer: unknown;
    await Promise.race([
      Promise.allSettled(held.map((b) => runScript(this.#d.redis, RELEASE_SCRIPT, [this.#d.keys.lease(b)], [this.#d.token]))),
      new Promise<void>((resolve) => {
        timer = this.#d.clock.setTimeout(() => resolve(), this.#d.claimTimeoutMs);
      }),
    ]);
    this.#d.clock.clearTimeout(timer);
  }

  #releaseNow(breaker: string): void {
    const d = this.#d;
    if (!d.isReady()) return; // it expires by itself after leaseMs
    runScript(d.redis, RELEASE_SCRIPT, [d.keys.lease(breaker)], [d.token]).catch((error: unknown) => d.onRedisError(error));
  }

  #armRenewal(): void {
    if (this.#renewTimer !== undefined || this.#closed) return;
    this.#renewTimer = this.#d.clock.setTimeout(() => {
      this.#renewTimer = undefined;
      this.#renewAll();
    }, Math.max(1, Math.floor(this.#d.leaseMs / 3)));
  }

  #renewAll(): void {
    const d = this.#d;
    if (this.#held.size === 0 || this.#closed) return;
    if (d.isReady()) {
      for (const breaker of this.#held) {
        runScript(d.redis, RENEW_SCRIPT, [d.keys.lease(breaker)], [d.token, d.leaseMs]).then(
          (reply) => {
            if (reply !== 1) this.#held.delete(breaker); // lost (expired or taken over): stop renewing
          },
          (error: unknown) => d.onRedisError(error),
        );
      }
    }
    this.#armRenewal();
  }
}
