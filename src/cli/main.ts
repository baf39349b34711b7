#!/usr/bin/env node
/**
 * The `p99-breaker` command: `demo` (the default; what `npm start` runs) and `inspect` (the local live
 * viewer).
 */
import { pathToFileURL } from 'node:url';
import { runInspectCli } from '../inspect/runInspectCli.js';
import { runDemoCli } from './demoCli.js';

const USAGE = `Usage: p99-breaker <command> [options]

Commands
  demo      a simulated trading session riding through a latency storm (default)
  inspect   serve the local live viewer on 127.0.0.1 (p99-breaker inspect --help)

p99-breaker demo --help shows the demo's options.
`;

/**
 * Runs the CLI with `argv` (without node and the script) and resolves to the exit code.
 *
 * @example
 * ```ts
 * process.exitCode = await main(['demo', '--fast']);
 * ```
 */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  const io = { stdout: process.stdout, stderr: process.stderr };
  switch (command) {
    case undefined:
    case 'demo':
      return runDemoCli(rest, io);
    case 'inspect':
      await runInspectCli(rest);
      return 0;
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(USAGE);
      return 0;
    default:
      if (command.startsWith('--')) return runDemoCli(argv, io);
      process.stderr.write(`p99-breaker: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
      return 2;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
