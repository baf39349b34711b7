import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CircuitBreaker } from '../breaker/CircuitBreaker.js';
import { DEFAULT_SCENARIO } from '../demo/defaultScenario.js';
import { renderReport } from '../demo/renderReport.js';
import { runDemo } from '../demo/runDemo.js';
import { parseScenario, ScenarioError, type Scenario } from '../demo/Scenario.js';
import { renderSummary, TerminalView } from '../demo/TerminalView.js';
import { INSPECTOR_DEFAULTS } from '../inspect/inspectorDefaults.js';
import { startInspectorServer } from '../inspect/startInspectorServer.js';

/** Standard streams of the CLI, injectable for tests. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream;
}

/**
 * The `p99-breaker demo --help` text: what the demo shows and every option with its default.
 *
 * @example
 * ```ts
 * process.stdout.write(DEMO_USAGE);
 * ```
 */
export const DEMO_USAGE = `Usage: p99-breaker demo [options]      (npm start runs it with no options)

A simulated trading session rides through a latency storm: orders flow at a steady rate through
TradingCircuitBreaker to a simulated venue that is normal, then degraded (P99 ≈ 400 ms), hung, flaky,
and normal again. On a simulated clock ten minutes of trading take seconds.

Options
  --scenario <file.json>  load another scenario (the default ships as examples/scenarios/latency-storm.json)
  --seed <n>              seed of the venue and the jitter: the same seed gives the same run (default 1)
  --speed <x>             simulated ms per real ms (default 20: about 35 s to watch); --fast = no pacing
  --fast                  run as fast as possible
  --realtime              run on the real clock, in real time (11 minutes)
  --out <file.svg>        where to write the report picture (default ./p99-breaker-report.svg)
  --inspect [port]        start the local live viewer on 127.0.0.1 (default port ${INSPECTOR_DEFAULTS.port}) and stay up at the end until Ctrl+C
                          (with --inspect the run is paced at --speed 20 unless --speed is given)
  --quiet                 no live view, only the timeline and the summary
  --help                  show this help
`;

/** Parsed demo options. */
export interface DemoCliOptions {
  scenario: Scenario;
  scenarioSource: string;
  seed: number;
  speed: number;
  realtime: boolean;
  out: string;
  inspectPort: number | undefined;
  quiet: boolean;
  help: boolean;
}

/**
 * Parses `p99-breaker demo` arguments.
 *
 * @throws Error with a one-line message for an unknown flag or a bad value; {@link ScenarioError} for a bad scenario file.
 * @example
 * ```ts
 * parseDemoArgs(['--seed', '7', '--fast']).seed; // 7
 * ```
 */
export function parseDemoArgs(argv: readonly string[]): DemoCliOptions {
  const options: DemoCliOptions = {
    scenario: DEFAULT_SCENARIO,
    scenarioSource: 'embedded default (examples/scenarios/latency-storm.json)',
    seed: 1,
    speed: 20,
    realtime: false,
    out: 'p99-breaker-report.svg',
    inspectPort: undefined,
    quiet: false,
    help: false,
  };
  const args = [...argv];
  const value = (flag: string): string => {
    const v = args.shift();
    if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value`);
    return v;
  };
  const number = (flag: string, text: string, valid: (n: number) => boolean, expected: string): number => {
    const n = Number(text);
    if (!valid(n)) throw new Error(`${flag}: expected ${expected}, got ${JSON.stringify(text)}`);
    return n;
  };
  while (args.length > 0) {
    const arg = args.shift()!;
    switch (arg) {
      case '--help':
      case '-h':
        options.help = true;
        break;
      case '--scenario': {
        const file = resolve(value(arg));
        let json: unknown;
        try {
          json = JSON.parse(readFileSync(file, 'utf8'));
        } catch (error) {
          throw new Error(`--scenario: cannot read ${file} as JSON: ${(error as Error).message}`);
        }
        options.scenario = parseScenario(json);
        options.scenarioSource = file;
        break;
      }
      case '--seed':
        options.seed = number(arg, value(arg), Number.isSafeInteger, 'an integer');
        break;
      case '--speed':
        options.speed = number(arg, value(arg), (n) => n > 0, 'a positive number');
        break;
      case '--fast':
        options.speed = Infinity;
        break;
      case '--realtime':
        options.realtime = true;
        break;
      case '--out':
        options.out = value(arg);
        break;
      case '--inspect': {
        const next = args[0];
        options.inspectPort = next !== undefined && /^\d+$/.test(next) ? number(arg, args.shift()!, (n) => n >= 0 && n <= 65535, 'a port') : INSPECTOR_DEFAULTS.port;
        break;
      }
      case '--quiet':
        options.quiet = true;
        break;
      default:
        throw new Error(`unknown option ${JSON.stringify(arg)} (see --help)`);
    }
  }
  return options;
}

/**
 * Runs `p99-breaker demo`: the live view, the timeline and summary, and the report picture. Resolves to
 * the exit code.
 *
 * @example
 * ```ts
 * process.exitCode = await runDemoCli(['--seed', '3', '--fast'], { stdout: process.stdout, stderr: process.stderr });
 * ```
 */
export async function runDemoCli(argv: readonly string[], io: CliIo): Promise<number> {
  let options: DemoCliOptions;
  try {
    options = parseDemoArgs(argv);
  } catch (error) {
    io.stderr.write(`${error instanceof ScenarioError ? error.message : `p99-breaker demo: ${(error as Error).message}`}\n\n${DEMO_USAGE}`);
    return 2;
  }
  if (options.help) {
    io.stdout.write(DEMO_USAGE);
    return 0;
  }
  const server = options.inspectPort === undefined ? undefined : await startInspectorServer({ port: options.inspectPort });
  if (server !== undefined) io.stdout.write(`live viewer: ${server.url}\n`);
  io.stdout.write(`scenario: ${options.scenario.name} (${options.scenarioSource}), seed ${options.seed}${options.realtime ? ', real time' : ''}\n\n`);
  const view = options.quiet ? undefined : new TerminalView(io.stdout);
  const thresholdMs = options.scenario.breaker?.latencyThresholdMs ?? 200;
  const result = await runDemo({
    scenario: options.scenario,
    seed: options.seed,
    speed: server !== undefined && !Number.isFinite(options.speed) ? 20 : options.speed,
    realtime: options.realtime,
    ...(view === undefined ? {} : { onFrame: (frame) => view.update(frame) }),
    ...(server === undefined
      ? {}
      : {
          breakerOptions: { inspect: server.inspect },
          onBreaker: (breaker: CircuitBreaker) => void server.attach(breaker, { latencyThresholdMs: thresholdMs }),
        }),
  });
  view?.finish();
  io.stdout.write(`${renderSummary(result)}\n`);
  const out = resolve(options.out);
  writeFileSync(out, renderReport(result));
  io.stdout.write(`\nreport: ${out}\n`);
  if (server !== undefined) {
    io.stdout.write(`live viewer still at ${server.url} — press Ctrl+C to exit\n`);
    await new Promise<void>((done) => process.once('SIGINT', () => done()));
    await server.close();
  }
  return result.orders.submitted === result.orders.sent + result.orders.refused ? 0 : 1;
}
