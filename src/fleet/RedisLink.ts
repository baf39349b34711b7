import type { Redis } from 'ioredis';
import type { Clock } from '../Clock.js';
import { safeLog, type Logger } from '../Logger.js';

/**
 * Options of {@link RedisLink}.
 *
 * @example
 * ```ts
 * const options: RedisLinkOptions = { redis, commandTimeoutMs: 1000, clock: realClock, logger, logFields: {}, onUp: () => {} };
 * ```
 */
export interface RedisLinkOptions {
  /** The caller's client, for commands (never closed here). */
  readonly redis: Redis;
  /** How long any command may take before it counts as failed (a slow Redis is a down Redis). */
  readonly commandTimeoutMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Fields added to the loss and recovery log lines. */
  readonly logFields: object;
  /** Called when both connections are ready again (and the first time). */
  onUp(): void;
}

/**
 * The fleet's two Redis connections — the caller's client for commands and a `duplicate()` for the
 * subscriber — and their health: ready or not, loss logged once per outage and counted, every error
 * counted, every command bounded in time, every timer tracked so that `close()` leaves nothing pending.
 *
 * @example
 * ```ts
 * const link = new RedisLink({ redis, commandTimeoutMs: 1000, clock: realClock, logger, logFields: { fleet }, onUp: resync });
 * if (link.isReady()) await link.command(redis.get('key'));
 * link.close();
 * ```
 */
export class RedisLink {
  readonly redis: Redis;
  readonly sub: Redis;
  errors = 0;
  losses = 0;

  readonly #o: RedisLinkOptions;
  readonly #timers = new Set<unknown>();
  readonly #detach: Array<() => void> = [];
  #up = false;
  #closed = false;

  constructor(options: RedisLinkOptions) {
    this.#o = options;
    this.redis = options.redis;
    this.sub = options.redis.duplicate();
    this.#listen(this.redis);
    this.#listen(this.sub);
    if (this.redis.status === 'wait') this.redis.connect().catch((error: unknown) => this.onError(error));
  }

  /** Both connections can take commands now. */
  isReady(): boolean {
    return !this.#closed && this.redis.status === 'ready' && this.sub.status === 'ready';
  }

  /** Counts a failed command or connection error (the loss itself is logged once, elsewhere). */
  onError(_error: unknown): void {
    this.errors++;
  }

  /** `promise`, or a rejection after `commandTimeoutMs`. */
  command<T>(promise: Promise<T>): Promise<T> {
    const ms = this.#o.commandTimeoutMs;
    let handle: unknown;
    const timeout = new Promise<never>((_, reject) => {
      handle = this.timer(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
    });
    return Promise.race([promise, timeout]).finally(() => this.clearTimer(handle));
  }

  /** A timer on the clock, cleared by {@link RedisLink.close} if still pending. */
  timer(fn: () => void, ms: number): unknown {
    const handle = this.#o.clock.setTimeout(() => {
      this.#timers.delete(handle);
      fn();
    }, ms);
    this.#timers.add(handle);
    return handle;
  }

  clearTimer(handle: unknown): void {
    if (handle === undefined) return;
    this.#timers.delete(handle);
    this.#o.clock.clearTimeout(handle);
  }

  /** Re-evaluates readiness after a connection event (also call once after subscribing). */
  check(): void {
    if (this.#closed) return;
    const ready = this.isReady();
    if (ready === this.#up) return;
    this.#up = ready;
    if (!ready) {
      this.losses++; // logged once per loss, however many reconnect attempts fail
      safeLog(this.#o.logger, 'warn', this.#o.logFields, 'fleet: lost the connection to Redis; breakers go on locally and resynchronise when it returns');
      return;
    }
    if (this.losses > 0) safeLog(this.#o.logger, 'info', this.#o.logFields, 'fleet: Redis is back; resynchronising');
    this.#o.onUp();
  }

  /** Clears every timer, stops listening, disconnects the subscriber. The caller's client stays open. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const handle of [...this.#timers]) this.clearTimer(handle);
    for (const detach of this.#detach.splice(0)) detach();
    this.sub.removeAllListeners('message');
    this.sub.on('error', () => {}); // late socket errors of a closing connection are expected
    this.sub.disconnect();
  }

  #listen(connection: Redis): void {
    const onEvent = (): void => this.check();
    const onError = (error: unknown): void => this.onError(error);
    connection.on('ready', onEvent).on('close', onEvent).on('end', onEvent).on('error', onError);
    this.#detach.push(() => {
      connection.off('ready', onEvent).off('close', onEvent).off('end', onEvent).off('error', onError);
    });
  }
}
