/**
 * The Redis keys and channel of one fleet. Every key carries the fleet name as a hash tag (`{fleet}`), so
 * that in Redis Cluster all of a fleet's keys live in one slot and its Lua scripts may touch several.
 *
 * @example
 * ```ts
 * const keys = fleetKeys('order-router');
 * keys.open('binance'); // 'p99-breaker:{order-router}:open:binance'
 * ```
 */
export function fleetKeys(fleet: string) {
  const p = `p99-breaker:{${fleet}}:`;
  return Object.freeze({
    /** Pub/sub channel of fleet messages. */
    channel: `${p}events`,
    /** Set of breaker names that have fleet state. */
    breakers: `${p}breakers`,
    /** Random id of the current Redis data set: versions compare only within one epoch. */
    epoch: `${p}epoch`,
    /** Fleet-wide message counter: every published message gets the next version. */
    version: `${p}version`,
    /** The open verdict, with a PX expiry at the open deadline (restart safety). */
    open: (breaker: string) => `${p}open:${breaker}`,
    /** The last message published for a breaker (open or closed), without expiry. */
    last: (breaker: string) => `${p}last:${breaker}`,
    /** Sorted set of instances reporting the breaker open, scored by Redis-clock deadline (quorum). */
    reports: (breaker: string) => `${p}reports:${breaker}`,
    /** The recovery lease: the holder's token, PX leaseMs. */
    lease: (breaker: string) => `${p}lease:${breaker}`,
    /** Set of instances that pushed a latency digest of the breaker. */
    digests: (breaker: string) => `${p}digests:${breaker}`,
    /** One instance's latency digest JSON, PX a few push periods. */
    digest: (breaker: string, instance: string) => `${p}digest:${breaker}:${instance}`,
  });
}

/**
 * The keys of one fleet (see {@link fleetKeys}).
 *
 * @example
 * ```ts
 * const keys: FleetKeys = fleetKeys('order-router');
 * ```
 */
export type FleetKeys = ReturnType<typeof fleetKeys>;
