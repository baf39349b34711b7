import type { DemoFrame, DemoResult } from './runDemo.js';
import { formatTime } from './renderReport.js';

const COLOUR = { closed: '\x1b[32m', open: '\x1b[31m', halfOpen: '\x1b[33m', disabled: '\x1b[90m' } as const;
const RESET = '\x1b[0m';

/**
 * The demo's live terminal view: on a TTY it redraws one block in place; elsewhere (CI, a pipe) it prints
 * a plain line every `lineEveryMs` of simulated time.
 *
 * @example
 * ```ts
 * const view = new TerminalView(process.stdout);
 * await runDemo({ onFrame: (f) => view.update(f) });
 * view.finish();
 * ```
 */
export class TerminalView {
  #drawnLines = 0;
  #lastLineAt = -Infinity;

  constructor(
    private readonly out: NodeJS.WritableStream & { isTTY?: boolean },
    private readonly lineEveryMs = 30_000,
  ) {}

  /** Shows one frame. */
  update(frame: DemoFrame): void {
    if (this.out.isTTY === true) {
      const block = renderFrame(frame, true);
      if (this.#drawnLines > 0) this.out.write(`\x1b[${this.#drawnLines}F\x1b[J`);
      this.out.write(`${block}\n`);
      this.#drawnLines = block.split('\n').length;
    } else if (frame.elapsedMs - this.#lastLineAt >= this.lineEveryMs) {
      this.#lastLineAt = frame.elapsedMs;
      this.out.write(`${renderLine(frame)}\n`);
    }
  }

  /** Leaves the last block on screen. */
  finish(): void {
    this.#drawnLines = 0;
  }
}

/**
 * The live block: state, P99 against the threshold, error rate, orders, countdown to the next attempt.
 *
 * @example
 * ```ts
 * console.log(renderFrame(frame, false));
 * ```
 */
export function renderFrame(frame: DemoFrame, colour: boolean): string {
  const paint = (state: DemoFrame['state']): string => (colour ? `${COLOUR[state]}${state.toUpperCase()}${RESET}` : state.toUpperCase());
  const p99 = frame.p99Ms === null ? '   —  ' : `${frame.p99Ms.toFixed(0).padStart(4)} ms`;
  const barWidth = 40;
  const scale = frame.thresholdMs * 2.5;
  const filled = frame.p99Ms === null ? 0 : Math.min(barWidth, Math.round((frame.p99Ms / scale) * barWidth));
  const mark = Math.round((frame.thresholdMs / scale) * barWidth);
  const bar = Array.from({ length: barWidth }, (_, i) => (i === mark ? '|' : i < filled ? '█' : '·')).join('');
  const o = frame.orders;
  const countdown = frame.nextAttemptInMs === null ? '' : `   next recovery attempt in ${(frame.nextAttemptInMs / 1000).toFixed(1)} s`;
  const last = frame.lastChange === null ? 'none yet' : `${frame.lastChange.from} → ${frame.lastChange.to} (${frame.lastChange.reason.trigger})`;
  return [
    `p99-breaker demo  ${formatTime(frame.elapsedMs)} / ${formatTime(frame.durationMs)}   phase: ${frame.phase}`,
    `state   ${paint(frame.state)}${countdown}`,
    `P99     ${p99}  ${bar}  threshold ${frame.thresholdMs} ms`,
    `errors  ${(frame.errorRate * 100).toFixed(1)} % of the window`,
    `orders  submitted ${o.submitted}   sent ${o.sent}   refused ${o.refused}   failed ${o.failed}   in flight ${o.inFlight}`,
    `last    ${last}`,
  ].join('\n');
}

/**
 * One plain line per frame, for non-TTY output: time, state, P99 against the limit, error rate, orders,
 * countdown and phase.
 *
 * @example
 * ```ts
 * renderLine(frame); // '1:30  open     P99  412 ms (limit 200)  errors 2.0%  sent 1500 refused 40 failed 3  next attempt in 1.5 s  [storm]'
 * ```
 */
export function renderLine(frame: DemoFrame): string {
  const p99 = frame.p99Ms === null ? '—' : `${frame.p99Ms.toFixed(0)} ms`;
  const o = frame.orders;
  const next = frame.nextAttemptInMs === null ? '' : `  next attempt in ${(frame.nextAttemptInMs / 1000).toFixed(1)} s`;
  return `${formatTime(frame.elapsedMs)}  ${frame.state.padEnd(8)} P99 ${p99.padStart(7)} (limit ${frame.thresholdMs})  errors ${(frame.errorRate * 100).toFixed(1)}%  sent ${o.sent} refused ${o.refused} failed ${o.failed}${next}  [${frame.phase}]`;
}

/**
 * The closing summary: the timeline of every transition with its reason, and the order tally with the
 * "no order lost" check.
 *
 * @example
 * ```ts
 * console.log(renderSummary(await runDemo()));
 * ```
 */
export function renderSummary(result: DemoResult): string {
  const lines = ['', 'Timeline'];
  for (const t of result.transitions) {
    lines.push(`  ${formatTime(t.elapsedMs).padStart(6)}  ${t.from.padEnd(8)} → ${t.to.padEnd(8)} ${describeReason(t.reason)}  [${t.phase}]`);
  }
  const o = result.orders;
  const lost = o.submitted - o.sent - o.refused;
  lines.push(
    '',
    'Summary',
    `  submitted ${o.submitted} = sent ${o.sent} + refused ${o.refused}   ${lost === 0 ? 'no order lost' : `${lost} ORDERS UNACCOUNTED FOR`}`,
    `  sent: ${o.succeeded} filled, ${o.failed} failed, ${o.inFlight} still in flight; the venue received ${result.venueReceived.orders} orders and ${result.venueReceived.pings} health pings`,
    `  final state: ${result.finalState}`,
  );
  return lines.join('\n');
}

function describeReason(reason: DemoResult['transitions'][number]['reason']): string {
  switch (reason.trigger) {
    case 'p99':
      return `P99 ${reason.valueMs.toFixed(0)} ms > ${reason.thresholdMs} ms over ${reason.samples} calls${reason.inFlightSlow > 0 ? ` (${reason.inFlightSlow} still in flight)` : ''}`;
    case 'consecutiveFailures':
      return `${reason.value} failures in a row (limit ${reason.threshold})`;
    case 'errorRate':
      return `error rate ${(reason.value * 100).toFixed(1)} % ≥ ${(reason.threshold * 100).toFixed(0)} %`;
    case 'healthCheck':
      return `health check: ${reason.outcome}`;
    case 'probe':
      return `probe ${reason.outcome} (${reason.valueMs.toFixed(0)} ms, limit ${reason.thresholdMs} ms)`;
    case 'recoveryDue':
      return 'backoff ended';
    case 'manual':
      return `${reason.action} by ${reason.by}: ${reason.why}`;
    case 'fleet':
      return `fleet (${reason.instance})`;
    default:
      return reason.trigger;
  }
}
