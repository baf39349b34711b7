import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { INSPECTOR_DEFAULTS } from './inspectorDefaults.js';
import { startInspectorServer } from './startInspectorServer.js';

/** Hooks for tests and embedding; the CLI uses stdout and SIGINT/SIGTERM. */
export interface InspectCliIo {
  /** Where the URL and messages go. Defaults to `console.log`. */
  readonly print?: (line: string) => void;
  /** Stops the server when aborted, like SIGINT. */
  readonly signal?: AbortSignal;
  /** Directory whose `stately.config.json` gives the defaults. Defaults to `process.cwd()`. */
  readonly cwd?: string;
}

const USAGE = `Usage: p99-breaker inspect [--port N] [--host 127.0.0.1]

Serves the self-hosted breaker inspector on loopback until Ctrl-C. Point breakers at it with
  createCircuitBreaker({ inspect: connectInspector(url).inspect })  or  connectInspector(url, breaker).
Defaults come from stately.config.json ("inspector") when present, else ${INSPECTOR_DEFAULTS.host}:${INSPECTOR_DEFAULTS.port}.`;

/**
 * `p99-breaker inspect [--port N] [--host 127.0.0.1]`: starts the inspector server, prints its URL, and
 * stays up until SIGINT or SIGTERM (or `io.signal` aborts), then closes it and resolves. A leading
 * `inspect` in `argv` is ignored, so it can be given the arguments with or without the subcommand.
 *
 * @throws TypeError on an unknown flag or a bad value (with the usage text).
 * @example
 * ```ts
 * await runInspectCli(process.argv.slice(3)); // from bin/p99-breaker.js after "inspect"
 * ```
 */
export async function runInspectCli(argv: string[], io: InspectCliIo = {}): Promise<void> {
  const print = io.print ?? ((line: string) => console.log(line));
  const args = argv[0] === 'inspect' ? argv.slice(1) : [...argv];
  if (args.includes('--help') || args.includes('-h')) {
    print(USAGE);
    return;
  }
  const defaults = await configDefaults(io.cwd ?? process.cwd());
  let host = defaults.host;
  let port = defaults.port;
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i]!.split('=', 2) as [string, string | undefined];
    const value = inline ?? args[++i];
    if (flag === '--port' && value !== undefined && /^\d+$/.test(value)) port = Number(value);
    else if (flag === '--host' && value !== undefined) host = value;
    else throw new TypeError(`unexpected argument ${JSON.stringify(args[inline === undefined ? i - 1 : i])}\n\n${USAGE}`);
  }

  const server = await startInspectorServer({ host, port });
  print(`p99-breaker inspector: ${server.url}`);
  print(`  breakers connect to ${server.wsUrl} (connectInspector, or @statelyai/inspect's createWebSocketInspector)`);
  print('  press Ctrl-C to stop');

  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      io.signal?.removeEventListener('abort', stop);
      done();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (io.signal?.aborted) stop();
    else io.signal?.addEventListener('abort', stop, { once: true });
  });
  await server.close();
  print('p99-breaker inspector: stopped');
}

async function configDefaults(cwd: string): Promise<{ host: string; port: number }> {
  try {
    const config = JSON.parse(await readFile(resolve(cwd, 'stately.config.json'), 'utf8')) as { inspector?: { host?: unknown; port?: unknown } };
    return {
      host: typeof config.inspector?.host === 'string' ? config.inspector.host : INSPECTOR_DEFAULTS.host,
      port: Number.isInteger(config.inspector?.port) ? (config.inspector!.port as number) : INSPECTOR_DEFAULTS.port,
    };
  } catch {
    return { ...INSPECTOR_DEFAULTS };
  }
}
