/**
 * The fleet's Lua scripts. Each one is atomic on the Redis server, and the only clock any of them reads is
 * Redis's own (`TIME`, `PX`): no script ever compares two hosts' clocks.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * A Lua script and its SHA1, run with EVALSHA (falling back to EVAL once after a Redis restart).
 *
 * @example
 * ```ts
 * const { lua, sha }: FleetScript = CLAIM_SCRIPT;
 * ```
 */
export interface FleetScript {
  readonly lua: string;
  readonly sha: string;
}

const script = (lua: string): FleetScript => Object.freeze({ lua, sha: createHash('sha1').update(lua).digest('hex') });

// Shared tail of both publishing scripts: next version in the current epoch, then the payload. ARGV body is
// the JSON object text after its opening brace, so the version is spliced in without a JSON library.
const STAMP = `
local epoch = redis.call('GET', KEYS[5])
if not epoch then epoch = ARGV[5]; redis.call('SET', KEYS[5], epoch) end
local version = redis.call('INCR', KEYS[4])
local payload = '{"epoch":"' .. epoch .. '","version":' .. version .. ',' .. ARGV[4]
`;

/**
 * A trip report. KEYS: reports, open, last, version, epoch, lease, breakers. ARGV: instance, remainingMs,
 * quorum, body, candidate epoch, channel, lease token ('' for none), breaker. Records the report until its
 * deadline (on Redis's clock); publishes an open verdict when the reporter holds the recovery lease (its
 * recovery failed), or when the live reports reach the quorum and the fleet is not open yet. Returns
 * `{ live reports, version published or 0 }`.
 *
 * @example
 * ```ts
 * await runScript(redis, OPEN_SCRIPT, keys, [instance, remainingMs, quorum, body, epoch, channel, '', breaker]);
 * ```
 */
export const OPEN_SCRIPT = script(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local remaining = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZADD', KEYS[1], now + remaining, ARGV[1])
local latest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIRE', KEYS[1], math.max(1, tonumber(latest[2]) - now))
local count = redis.call('ZCARD', KEYS[1])
local holder = ARGV[7] ~= '' and redis.call('GET', KEYS[6]) == ARGV[7]
if not holder then
  if count < tonumber(ARGV[3]) or redis.call('EXISTS', KEYS[2]) == 1 then return {count, 0} end
end
redis.call('DEL', KEYS[6])
${STAMP}
redis.call('SET', KEYS[2], payload, 'PX', remaining)
redis.call('SET', KEYS[3], payload)
redis.call('SADD', KEYS[7], ARGV[8])
redis.call('PUBLISH', ARGV[6], payload)
return {count, version}
`);

/**
 * A recovery verdict "closed". KEYS as {@link OPEN_SCRIPT}. ARGV: instance, (unused), (unused), body,
 * candidate epoch, channel, lease token, breaker, grace ms. Only the lease holder publishes: it clears the
 * open key and the reports, and leaves a short tombstone in the lease so that no instance starts another
 * recovery before the verdict reaches it. Anyone else only withdraws its own report. Returns the version
 * published or 0.
 *
 * @example
 * ```ts
 * await runScript(redis, CLOSED_SCRIPT, keys, [instance, '', '', body, epoch, channel, token, breaker, 1000]);
 * ```
 */
export const CLOSED_SCRIPT = script(`
if redis.call('GET', KEYS[6]) ~= ARGV[7] then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return 0
end
redis.call('DEL', KEYS[2], KEYS[1])
${STAMP}
redis.call('SET', KEYS[6], 'closed:' .. version, 'PX', ARGV[9])
redis.call('SET', KEYS[3], payload)
redis.call('SADD', KEYS[7], ARGV[8])
redis.call('PUBLISH', ARGV[6], payload)
return version
`);

/**
 * KEYS: lease. ARGV: token, leaseMs. Takes the lease if free (SET NX PX) or extends it if ours. 1 or 0.
 *
 * @example
 * ```ts
 * const granted = (await runScript(redis, CLAIM_SCRIPT, [keys.lease('binance')], [token, 5000])) === 1;
 * ```
 */
export const CLAIM_SCRIPT = script(`
local v = redis.call('GET', KEYS[1])
if not v then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
if v == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
return 0
`);

/**
 * KEYS: lease. ARGV: token, leaseMs. Extends the lease only if it is still ours. 1 or 0.
 *
 * @example
 * ```ts
 * await runScript(redis, RENEW_SCRIPT, [keys.lease('binance')], [token, 5000]);
 * ```
 */
export const RENEW_SCRIPT = script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
return 0
`);

/**
 * KEYS: lease. ARGV: token. Compare-and-delete: frees the lease only if it is still ours. 1 or 0.
 *
 * @example
 * ```ts
 * await runScript(redis, RELEASE_SCRIPT, [keys.lease('binance')], [token]);
 * ```
 */
export const RELEASE_SCRIPT = script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) return 1 end
return 0
`);

/**
 * Runs a script by SHA, loading it with EVAL when the server does not know it (first use, or a restarted
 * Redis).
 *
 * @example
 * ```ts
 * const granted = await runScript(redis, CLAIM_SCRIPT, [keys.lease('binance')], [token, 5000]);
 * ```
 */
export async function runScript(redis: Redis, s: FleetScript, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown> {
  try {
    return await redis.evalsha(s.sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return await redis.eval(s.lua, keys.length, ...keys, ...args);
  }
}
