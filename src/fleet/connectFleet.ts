import { randomBytes } from 'node:crypto';
import type { Subscription } from 'rxjs';
import type { CircuitBreaker } from '../breaker/CircuitBreaker.js';
import type { StateChange } from '../breaker/StateChange.js';
import type { TransitionReason } from '../breaker/TransitionReason.js';
import { realClock, type Clock } from '../Clock.js';
import { safeLog, type Logger } from '../Logger.js';
import type { Fleet, FleetLatency, FleetOptions, FleetRegistry, FleetStats } from './Fleet.js';
import { fleetKeys, type FleetKeys } from './fleetKeys.js';
import { FleetLatencyShare } from './FleetLatencyShare.js';
import { FleetLeases } from './FleetLeases.js';
import { RedisLink } from './RedisLink.js';
import { parseFleetMessage, type FleetMessage } from './FleetMessage.js';
import { CLOSED_SCRIPT, OPEN_SCRIPT, runScript } from './fleetScripts.js';
import { resolveFleetOptions, type ResolvedFleetOptions } from './resolveFleetOptions.js';

/**
 * Joins every breaker of `registry` (those that exist and those created later) to a fleet through Redis.
 * Trips travel to the other instances within milliseconds, one instance recovers for the fleet, a
 * restarted instance comes back open for the fleet's remaining time, and latency merges fleet-wide. The
 * call path never touches Redis; when Redis is down or slow, every breaker goes on locally.
 *
 * Resolves once the fleet state has been read, or after `connectTimeoutMs` in local mode (it keeps
 * reconnecting and resynchronises when Redis answers). See `docs/fleet.md`.
 *
 * @throws {@link ConfigError} (as a rejection) when an option is invalid.
 * @example
 * ```ts
 * import Redis from 'ioredis';
 * import { BreakerRegistry, connectFleet } from 'p99-breaker';
 *
 * const registry = new BreakerRegistry({ latencyThresholdMs: 150 });
 * const fleet = await connectFleet(registry, { redis: new Redis(process.env.REDIS_URL!), fleet: 'order-router' });
 * await registry.get('binance').execute(() => binance.placeOrder(order));
 * await fleet.close();
 * ```
 */
export async function connectFleet(registry: FleetRegistry & { readonly clock?: Clock }, options: FleetOptions): Promise<Fleet> {
  const resolved = resolveFleetOptions(options, registry.clock ?? realClock);
  const fleet = new FleetConnection(registry, resolved);
  await fleet.start();
  return fleet;
}

/** Triggers of a breaker's own verdict (as opposed to the fleet's, a person's, or a restore). */
const OWN_VERDICTS = new Set<TransitionReason['trigger']>(['p99', 'consecutiveFailures', 'errorRate', 'probe', 'healthCheck']);

interface Member {
  readonly breaker: CircuitBreaker;
  subscription: Subscription | undefined;
  lastChange: StateChange | undefined;
  /** Armed while this instance holds the lease in half-open: hands recovery over if no probe comes. */
  idleTimer: unknown;
}

interface FleetOpen {
  readonly until: number;
  readonly instance: string;
  readonly cause: TransitionReason;
}

class FleetConnection implements Fleet {
  readonly instance: string;
  readonly #o: ResolvedFleetOptions;
  readonly #registry: FleetRegistry;
  readonly #link: RedisLink;
  readonly #keys: FleetKeys;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #session = randomBytes(8).toString('hex');
  readonly #leases: FleetLeases;
  readonly #latency: FleetLatencyShare;
  readonly #members = new Map<string, Member>();
  /** Open verdicts heard, for breakers created later (a venue first used after the fleet opened it). */
  readonly #fleetOpen = new Map<string, FleetOpen>();
  /** Newest message applied per breaker: older ones are ignored. */
  readonly #seen = new Map<string, { epoch: string; version: number }>();
  #unsubscribeRegistry: (() => void) | undefined;
  #resyncTimer: unknown;
  #closed = false;
  #closing: Promise<void> | undefined;
  #firstSync!: () => void;
  readonly #synced = new Promise<void>((resolve) => {
    this.#firstSync = resolve;
  });

  #published = 0;
  #reported = 0;
  #received = 0;
  #malformed = 0;
  #otherFleet = 0;
  #stale = 0;

  constructor(registry: FleetRegistry, options: ResolvedFleetOptions) {
    this.#o = options;
    this.#registry = registry;
    this.instance = options.instance;
    this.#keys = fleetKeys(options.fleet);
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#link = new RedisLink({
      redis: options.redis,
      commandTimeoutMs: 4 * options.claimTimeoutMs,
      clock: options.clock,
      logger: options.logger,
      logFields: { fleet: options.fleet, instance: options.instance },
      onUp: () => this.#scheduleResync(),
    });
    this.#leases = new FleetLeases({
      redis: this.#link.redis,
      keys: this.#keys,
      token: `${this.instance}#${this.#session}`,
      leaseMs: options.leaseMs,
      standByMs: options.standByMs,
      claimTimeoutMs: options.claimTimeoutMs,
      clock: this.#clock,
      isReady: () => this.#link.isReady(),
      onRedisError: (error) => this.#link.onError(error),
    });
    this.#latency = new FleetLatencyShare({
      redis: this.#link.redis,
      keys: this.#keys,
      instance: this.instance,
      periodMs: options.digestPeriodMs,
      clock: this.#clock,
      logger: options.logger,
      isReady: () => this.#link.isReady(),
      command: (promise) => this.#link.command(promise),
      onRedisError: (error) => this.#link.onError(error),
      onMalformed: () => {
        this.#malformed++;
      },
    });
  }

  async start(): Promise<void> {
    this.#link.sub.on('message', (channel: string, raw: string) => this.#onMessage(channel, raw));
    for (const breaker of this.#registry.list()) this.#attach(breaker);
    this.#unsubscribeRegistry = this.#registry.onBreakerCreated((breaker) => this.#attach(breaker));
    this.#link.sub.subscribe(this.#keys.channel).catch((error: unknown) => this.#link.onError(error));
    this.#link.check();
    this.#latency.start();
    let timer: unknown;
    const timedOut = await new Promise<boolean>((resolve) => {
      timer = this.#link.timer(() => resolve(true), this.#o.connectTimeoutMs);
      void this.#synced.then(() => resolve(false));
    });
    this.#link.clearTimer(timer);
    if (timedOut && !this.#closed) {
      safeLog(this.#logger, 'warn', { fleet: this.#o.fleet, instance: this.instance }, `fleet: Redis did not answer within ${this.#o.connectTimeoutMs} ms; breakers run locally and join the fleet when it does`);
    }
  }

  // ---------------------------------------------------------------- breakers

  #attach(breaker: CircuitBreaker): void {
    if (this.#closed || this.#members.has(breaker.name)) return;
    const member: Member = { breaker, subscription: undefined, lastChange: undefined, idleTimer: undefined };
    this.#members.set(breaker.name, member);
    breaker.setRecoveryCoordinator(this.#leases.coordinatorFor(breaker.name));
    this.#latency.track(breaker);
    member.subscription = breaker.stateChanges$.subscribe({
      next: (change) => {
        try {
          this.#onStateChange(member, change);
        } catch (error) {
          safeLog(this.#logger, 'error', { fleet: this.#o.fleet, breaker: breaker.name, err: error }, 'fleet: handling a state change failed; the breaker goes on locally');
        }
      },
      complete: () => this.#detach(member),
    });
    const open = this.#fleetOpen.get(breaker.name);
    if (open !== undefined && open.until > this.#clock.now()) breaker.applyFleetState({ to: 'open', ...open });
  }

  #detach(member: Member): void {
    const name = member.breaker.name;
    if (this.#members.get(name) !== member) return;
    this.#members.delete(name);
    this.#disarmIdleHandOver(member);
    member.subscription?.unsubscribe();
    this.#latency.untrack(name);
    member.breaker.setRecoveryCoordinator(undefined);
    this.#leases.release(name);
  }

  #onStateChange(member: Member, change: StateChange): void {
    member.lastChange = change;
    const name = member.breaker.name;
    const trigger = change.reason.trigger;
    const held = this.#leases.holds(name);
    this.#disarmIdleHandOver(member);
    if (change.to === 'halfOpen') {
      // The lease holder recovering: keep the lease, unless no call comes to probe with.
      if (held) this.#armIdleHandOver(member);
      return;
    }
    if (change.to === 'open' && OWN_VERDICTS.has(trigger)) {
      this.#reportOpen(member, change, held && (trigger === 'probe' || trigger === 'healthCheck'));
    } else if (change.to === 'closed' && held && trigger === 'probe') {
      this.#reportClosed(member, change);
    } else if (held) {
      this.#leases.release(name); // recovery ended another way (fleet verdict, manual control)
    }
  }

  /**
   * A lease holder that gets no traffic would keep the whole fleet open: if no probe is admitted within
   * `standByMs` of entering half-open, it reopens until then and gives the lease up, so an instance that
   * has orders to send can recover the fleet.
   */
  #armIdleHandOver(member: Member): void {
    member.idleTimer = this.#clock.setTimeout(() => {
      member.idleTimer = undefined;
      const breaker = member.breaker;
      if (this.#closed || breaker.state !== 'halfOpen' || breaker.stats().inFlight > 0) return;
      breaker.applyFleetState({ to: 'open', until: this.#clock.now() + this.#o.standByMs, instance: this.instance, cause: null });
    }, this.#o.standByMs);
  }

  #disarmIdleHandOver(member: Member): void {
    if (member.idleTimer === undefined) return;
    this.#clock.clearTimeout(member.idleTimer);
    member.idleTimer = undefined;
  }

  /** A trip (or a failed recovery): recorded as a report; the script decides whether the fleet opens. */
  #reportOpen(member: Member, change: StateChange, asLeaseHolder: boolean): void {
    const name = member.breaker.name;
    const until = change.nextAttemptAt;
    if (asLeaseHolder) this.#leases.forget(name); // the script frees it
    if (until === null) return;
    const remainingMs = Math.round(until - this.#clock.now());
    if (remainingMs < 1 || !this.#link.isReady()) return; // not ready: resync reports it when Redis is back
    this.#reported++;
    const body = this.#body({ from: change.from, to: 'open', reason: change.reason, breaker: name, until, remainingMs });
    const quorum = this.#o.policy === 'follow' ? 1 : this.#o.policy.quorum;
    const token = asLeaseHolder ? `${this.instance}#${this.#session}` : '';
    this.#link.command(
      runScript(this.#link.redis, OPEN_SCRIPT, this.#scriptKeys(name), [this.instance, remainingMs, quorum, body, this.#newEpoch(), this.#keys.channel, token, name]),
    ).then((reply) => {
      const version = Array.isArray(reply) ? Number(reply[1]) : 0;
      if (version > 0) this.#published++;
    }, (error: unknown) => this.#link.onError(error));
  }

  /** The lease holder's probe passed: tell the fleet. */
  #reportClosed(member: Member, change: StateChange): void {
    const name = member.breaker.name;
    this.#leases.forget(name);
    if (!this.#link.isReady()) return;
    const body = this.#body({ from: change.from, to: 'closed', reason: change.reason, breaker: name, until: null, remainingMs: null });
    const graceMs = Math.max(1, Math.min(this.#o.leaseMs, 1_000));
    this.#link.command(
      runScript(this.#link.redis, CLOSED_SCRIPT, this.#scriptKeys(name), [this.instance, '', '', body, this.#newEpoch(), this.#keys.channel, `${this.instance}#${this.#session}`, name, graceMs]),
    ).then((reply) => {
      if (Number(reply) > 0) this.#published++;
    }, (error: unknown) => this.#link.onError(error));
  }

  #scriptKeys(name: string): string[] {
    const k = this.#keys;
    return [k.reports(name), k.open(name), k.last(name), k.version, k.epoch, k.lease(name), k.breakers];
  }

  /** The message JSON after its opening brace: the script puts epoch and version in front. */
  #body(fields: Omit<FleetMessage, 'epoch' | 'version' | 'fleet' | 'instance' | 'session'>): string {
    return JSON.stringify({ fleet: this.#o.fleet, instance: this.instance, session: this.#session, ...fields }).slice(1);
  }

  #newEpoch(): string {
    return randomBytes(8).toString('hex');
  }

  // ---------------------------------------------------------------- messages

  #onMessage(channel: string, raw: string): void {
    if (this.#closed || channel !== this.#keys.channel) return;
    const message = parseFleetMessage(raw, this.#o.fleet);
    if (message === 'malformed') this.#malformed++;
    else if (message === 'otherFleet') this.#otherFleet++;
    else this.#apply(message, message.to === 'open' ? message.remainingMs : 0);
  }

  /** Applies a fleet verdict newer than the last one known; `remainingMs` is converted with this clock. */
  #apply(message: FleetMessage, remainingMs: number): void {
    const seen = this.#seen.get(message.breaker);
    const own = message.session === this.#session;
    if (seen !== undefined && seen.epoch === message.epoch && message.version <= seen.version) {
      if (!own) this.#stale++;
      return;
    }
    this.#seen.set(message.breaker, { epoch: message.epoch, version: message.version });
    if (own) return; // our own verdict, already in force here
    this.#received++;
    const breaker = this.#members.get(message.breaker)?.breaker;
    if (message.to === 'open') {
      const open: FleetOpen = { until: this.#clock.now() + remainingMs, instance: message.instance, cause: message.reason };
      this.#fleetOpen.set(message.breaker, open);
      breaker?.applyFleetState({ to: 'open', ...open });
    } else {
      this.#fleetOpen.delete(message.breaker);
      breaker?.applyFleetState({ to: 'closed', instance: message.instance });
    }
  }

  /** On connect and every reconnect: read the fleet's verdicts, then report our own trips it missed. */
  async #resync(): Promise<void> {
    if (!this.#link.isReady()) return;
    try {
      await this.#link.command(this.#link.sub.subscribe(this.#keys.channel));
      const names = await this.#link.command(this.#link.redis.smembers(this.#keys.breakers));
      const pipeline = this.#link.redis.pipeline();
      for (const name of names) pipeline.get(this.#keys.last(name)).pttl(this.#keys.open(name));
      const replies = names.length === 0 ? [] : ((await this.#link.command(pipeline.exec())) ?? []);
      for (let i = 0; i < names.length; i++) {
        const raw = replies[2 * i]?.[1];
        const pttl = Number(replies[2 * i + 1]?.[1]);
        if (typeof raw !== 'string') continue;
        const message = parseFleetMessage(raw, this.#o.fleet);
        if (typeof message === 'string') {
          if (message === 'malformed') this.#malformed++;
          continue;
        }
        if (message.to === 'closed') this.#apply(message, 0);
        else if (pttl > 0) this.#apply(message, pttl); // Redis's own clock says how long is left
      }
      for (const member of this.#members.values()) {
        const change = member.lastChange;
        if (member.breaker.state === 'open' && change !== undefined && change.to === 'open' && OWN_VERDICTS.has(change.reason.trigger)) {
          this.#reportOpen(member, change, false);
        }
      }
      this.#firstSync();
    } catch (error) {
      this.#link.onError(error);
      this.#scheduleResync(500); // still connected but slow: try again; a reconnect also triggers one
    }
  }

  // ---------------------------------------------------------------- connection

  /** The default short delay lets the subscriber's automatic re-subscription go first. */
  #scheduleResync(delayMs = 10): void {
    if (this.#resyncTimer !== undefined || this.#closed) return;
    this.#resyncTimer = this.#link.timer(() => {
      this.#resyncTimer = undefined;
      void this.#resync();
    }, delayMs);
  }

  // ---------------------------------------------------------------- latency

  pushLatency(): Promise<void> {
    return this.#latency.push();
  }

  latency(breaker: string): Promise<FleetLatency> {
    return this.#latency.read(breaker);
  }

  // ---------------------------------------------------------------- stats and close

  stats(): FleetStats {
    return {
      instance: this.instance,
      connected: this.#link.isReady(),
      published: this.#published,
      reported: this.#reported,
      received: this.#received,
      ignored: { malformed: this.#malformed, otherFleet: this.#otherFleet, stale: this.#stale },
      redisErrors: this.#link.errors,
      connectionLosses: this.#link.losses,
      leases: { acquired: this.#leases.acquired, denied: this.#leases.denied, localGrants: this.#leases.localGrants },
      breakers: this.#members.size,
      latencySkipped: this.#latency.skipped,
    };
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#unsubscribeRegistry?.();
    this.#unsubscribeRegistry = undefined;
    for (const member of [...this.#members.values()]) {
      this.#disarmIdleHandOver(member);
      member.subscription?.unsubscribe();
      member.breaker.setRecoveryCoordinator(undefined);
    }
    this.#latency.close();
    await this.#leases.close(); // while Redis is still ours to use
    this.#closed = true;
    this.#members.clear();
    this.#firstSync();
    this.#link.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
