/**
 * Where the self-hosted inspector listens unless told otherwise; `stately.config.json`'s `inspector`
 * section holds the same values (a test keeps them equal).
 *
 * @example
 * ```ts
 * const server = await startInspectorServer({ port: INSPECTOR_DEFAULTS.port });
 * ```
 */
export const INSPECTOR_DEFAULTS = Object.freeze({ host: '127.0.0.1', port: 8099 });

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * Throws unless `host` is a loopback address: a breaker's live state (venue names, latencies, why it
 * opened) never leaves the host it runs on.
 *
 * @throws TypeError naming the host and the allowed ones.
 * @example
 * ```ts
 * assertLoopbackHost('127.0.0.1'); // ok
 * assertLoopbackHost('0.0.0.0');   // throws
 * ```
 */
export function assertLoopbackHost(host: string): void {
  if (!LOOPBACK_HOSTS.has(host)) {
    throw new TypeError(`the inspector binds to loopback only (127.0.0.1, ::1 or localhost), got ${JSON.stringify(host)}`);
  }
}
