import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SCENARIO } from '../../src/demo/defaultScenario.js';
import { renderReport, stateSpans } from '../../src/demo/renderReport.js';
import { runDemo, type DemoResult } from '../../src/demo/runDemo.js';
import { parseScenario, ScenarioError } from '../../src/demo/Scenario.js';
import { renderFrame, renderSummary } from '../../src/demo/TerminalView.js';

const root = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);

/** A strict-enough XML well-formedness check for the SVG we write: balanced tags, quoted attributes. */
function assertWellFormedXml(xml: string): void {
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>|<[^>]*>/g;
  let match: RegExpExecArray | null;
  let last = 0;
  while ((match = tag.exec(xml)) !== null) {
    const between = xml.slice(last, match.index);
    expect(between, 'text must not contain a raw < or an unescaped &').not.toMatch(/<|&(?!amp;|lt;|gt;|quot;|#\d+;)/);
    last = tag.lastIndex;
    const [, closing, name, , selfClosing] = match;
    if (name === undefined) throw new Error(`malformed tag: ${match[0]}`);
    if (closing === '/') expect(stack.pop(), `closing </${name}>`).toBe(name);
    else if (selfClosing !== '/') stack.push(name);
  }
  expect(stack).toEqual([]);
}

describe('the demo: a trading session through a latency storm', () => {
  let result: DemoResult;
  beforeAll(async () => {
    result = await runDemo({ seed: 42 });
  });

  const phase = (name: string) => result.phases.find((p) => p.name === name)!;

  it('opens during the storm, refusing orders there, before any recovery', () => {
    const firstOpen = result.transitions.find((t) => t.to === 'open');
    expect(firstOpen).toBeDefined();
    expect(firstOpen!.from).toBe('closed');
    expect(firstOpen!.elapsedMs).toBeGreaterThanOrEqual(phase('latency storm').startMs);
    expect(firstOpen!.elapsedMs).toBeLessThan(phase('latency storm').startMs + 10_000);
    expect(firstOpen!.reason.trigger).toBe('p99');
    const spans = stateSpans(result);
    const stormEnd = phase('latency storm').endMs;
    const openAtStormEnd = spans.find((s) => s.startMs <= stormEnd - 1 && s.endMs > stormEnd - 1);
    expect(openAtStormEnd?.state).toBe('open');
    expect(result.orders.refused).toBeGreaterThan(0);
  });

  it('stays open through the hang: no order is sent while the node answers nothing', () => {
    const hang = phase('hang');
    const spans = stateSpans(result).filter((s) => s.endMs > hang.startMs && s.startMs < hang.endMs);
    expect(spans.map((s) => s.state)).toEqual(['open']);
  });

  it('recovers through a health check and a probe once the venue is normal again, and ends closed', () => {
    const normalAgain = phase('normal again');
    const lastClose = [...result.transitions].reverse().find((t) => t.to === 'closed');
    expect(lastClose).toBeDefined();
    expect(lastClose!.from).toBe('halfOpen');
    expect(lastClose!.reason.trigger).toBe('probe');
    expect(lastClose!.elapsedMs).toBeGreaterThanOrEqual(phase('flaky recovery').startMs);
    expect(lastClose!.elapsedMs).toBeLessThan(normalAgain.startMs + 5 * 60_000);
    const toHalfOpen = result.transitions.filter((t) => t.to === 'halfOpen');
    expect(toHalfOpen.every((t) => t.reason.trigger === 'healthCheck')).toBe(true);
    expect(result.finalState).toBe('closed');
  });

  it('loses no order: sent + refused = submitted, and the venue received exactly the sent ones', () => {
    const o = result.orders;
    expect(o.submitted).toBe(DEFAULT_SCENARIO.orderRatePerSecond * (result.durationMs / 1000));
    expect(o.sent + o.refused).toBe(o.submitted);
    expect(o.succeeded + o.failed + o.inFlight).toBe(o.sent);
    expect(o.inFlight).toBe(0);
    expect(result.venueReceived.orders).toBe(o.sent);
    expect(renderSummary(result)).toContain('no order lost');
  });

  it('is repeatable with the same seed', async () => {
    const again = await runDemo({ seed: 42 });
    expect(again.transitions.map((t) => [t.elapsedMs, t.from, t.to])).toEqual(result.transitions.map((t) => [t.elapsedMs, t.from, t.to]));
    expect(again.orders).toEqual(result.orders);
  });

  it('writes a valid SVG report with the threshold line, the state bands and the transitions', () => {
    const svg = renderReport(result);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    assertWellFormedXml(svg);
    expect(svg).toMatch(/<line id="threshold-line"[^>]*y1="([\d.]+)"[^>]*y2="\1"/);
    expect(svg).toContain('threshold 200 ms');
    for (const state of ['closed', 'open', 'halfOpen']) expect(svg).toContain(`class="state-band state-${state}"`);
    expect(svg.match(/class="transition"/g)?.length).toBe(result.transitions.length);
    expect(svg).toContain('<polyline class="p99"');
  });

  it('shows the live view with state, P99 against the threshold, orders and the countdown', () => {
    const text = renderFrame(
      {
        elapsedMs: 125_000,
        durationMs: 660_000,
        phase: 'latency storm',
        state: 'open',
        p99Ms: 215,
        thresholdMs: 200,
        errorRate: 0.01,
        orders: { submitted: 2500, sent: 2420, refused: 80, succeeded: 2410, failed: 5, inFlight: 5 },
        nextAttemptInMs: 26_000,
        lastChange: null,
      },
      false,
    );
    expect(text).toContain('OPEN');
    expect(text).toContain('next recovery attempt in 26.0 s');
    expect(text).toContain(' 215 ms');
    expect(text).toContain('threshold 200 ms');
    expect(text).toContain('refused 80');
  });
});

describe('scenarios', () => {
  it('ships the embedded default as examples/scenarios/latency-storm.json', () => {
    const shipped = JSON.parse(readFileSync(join(root, 'examples/scenarios/latency-storm.json'), 'utf8')) as unknown;
    expect(parseScenario(shipped)).toEqual(DEFAULT_SCENARIO);
  });

  it('names every bad field with its path and the value given', () => {
    let error: unknown;
    try {
      parseScenario({ name: '', orderRatePerSecond: -1, clientTimeoutMs: 5000, colour: 'red', phases: [{ name: 'x', durationMs: 0, latency: { medianMs: 50, p99Ms: 10 } }] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScenarioError);
    const problems = (error as ScenarioError).problems.join('\n');
    expect(problems).toContain('colour: expected no such field');
    expect(problems).toContain('name: expected a non-empty string, got ""');
    expect(problems).toContain('orderRatePerSecond: expected a number in (0, 1000], got -1');
    expect(problems).toContain('phases[0].durationMs: expected a positive number of ms, got 0');
    expect(problems).toContain('phases[0].latency.p99Ms: expected a number of ms ≥ medianMs, got 10');
  });
});

describe('p99-breaker demo (the CLI behind npm start)', () => {
  const cli = (args: string[]) => run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: root, encoding: 'utf8' });

  it('runs a scenario file with a seed, prints the timeline and the summary, and writes the report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'p99-demo-'));
    const scenarioFile = join(dir, 'short.json');
    writeFileSync(
      scenarioFile,
      JSON.stringify({
        name: 'short storm',
        orderRatePerSecond: 50,
        clientTimeoutMs: 2000,
        breaker: { recoveryTimeoutMs: 5000 },
        phases: [
          { name: 'normal', durationMs: 30_000, latency: { medianMs: 20, p99Ms: 80 } },
          { name: 'storm', durationMs: 20_000, latency: { medianMs: 300, p99Ms: 450 } },
          { name: 'normal again', durationMs: 30_000, latency: { medianMs: 20, p99Ms: 80 } },
        ],
      }),
    );
    const out = join(dir, 'report.svg');
    const { stdout } = await cli(['demo', '--scenario', scenarioFile, '--seed', '3', '--fast', '--out', out]);
    expect(stdout).toContain('scenario: short storm');
    expect(stdout).toMatch(/closed\s+→ open\s+P99/);
    expect(stdout).toMatch(/halfOpen → closed\s+probe succeeded/);
    expect(stdout).toContain('no order lost');
    expect(stdout).toContain(`report: ${out}`);
    assertWellFormedXml(readFileSync(out, 'utf8'));
  });

  it('explains itself with --help and refuses a bad scenario with exit code 2 and the field named', async () => {
    const { stdout } = await cli(['demo', '--help']);
    expect(stdout).toContain('--scenario <file.json>');
    expect(stdout).toContain('--inspect');
    const dir = mkdtempSync(join(tmpdir(), 'p99-demo-'));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ name: 'bad', orderRatePerSecond: 10, clientTimeoutMs: 1000, phases: [{ name: 'p', durationMs: 1000, errorRate: 2, hang: true }] }));
    const failure = await cli(['demo', '--scenario', bad]).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toContain('phases[0].errorRate: expected a number in [0, 1], got 2');
  });
});
