import type { BreakerState } from '../breaker/BreakerState.js';
import type { DemoResult } from './runDemo.js';

const STATE_COLOURS: Record<BreakerState, string> = {
  closed: '#2e7d32',
  open: '#c62828',
  halfOpen: '#ef8f00',
  disabled: '#607d8b',
};

/**
 * Renders a demo run as a standalone SVG: the breaker's window P99 over time against the threshold line,
 * the breaker's state as coloured bands, every transition marked with its reason, and the scenario's
 * phases along the top.
 *
 * @example
 * ```ts
 * writeFileSync('report.svg', renderReport(await runDemo({ seed: 7 })));
 * ```
 */
export function renderReport(result: DemoResult): string {
  const width = 1100;
  const height = 460;
  const left = 70;
  const right = 30;
  const top = 70;
  const bottom = 90;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const maxP99 = Math.max(result.thresholdMs * 2, ...result.points.map((p) => p.p99Ms ?? 0));
  const yMax = niceCeiling(maxP99 * 1.1);
  const x = (ms: number): number => left + (Math.min(ms, result.durationMs) / result.durationMs) * plotW;
  const y = (v: number): number => top + plotH - (Math.min(v, yMax) / yMax) * plotH;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<title>p99-breaker demo: ${escapeXml(result.scenario.name)} (seed ${result.seed})</title>`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${left}" y="24" font-size="16" font-weight="bold">${escapeXml(`p99-breaker: ${result.scenario.name}`)}</text>`,
    `<text x="${left}" y="42" fill="#555">${escapeXml(`seed ${result.seed} · ${result.orders.submitted} orders submitted · ${result.orders.sent} sent · ${result.orders.refused} refused · ${result.transitions.length} transitions`)}</text>`,
  );

  // State bands: the state from each transition to the next.
  out.push('<g id="state-bands">');
  const spans = stateSpans(result);
  for (const span of spans) {
    out.push(
      `<rect class="state-band state-${span.state}" data-state="${span.state}" x="${fmt(x(span.startMs))}" y="${top}" width="${fmt(Math.max(0.5, x(span.endMs) - x(span.startMs)))}" height="${plotH}" fill="${STATE_COLOURS[span.state]}" fill-opacity="0.14"/>`,
    );
  }
  out.push('</g>');

  // Phases along the top.
  out.push('<g id="phases">');
  for (const phase of result.phases) {
    out.push(
      `<line x1="${fmt(x(phase.startMs))}" y1="${top - 14}" x2="${fmt(x(phase.startMs))}" y2="${top + plotH}" stroke="#999" stroke-dasharray="2 3"/>`,
      `<text x="${fmt(x(phase.startMs) + 4)}" y="${top - 4}" fill="#333">${escapeXml(phase.name)}</text>`,
    );
  }
  out.push('</g>');

  // Axes and grid.
  out.push('<g id="axes" stroke="#444">');
  out.push(`<line x1="${left}" y1="${top + plotH}" x2="${left + plotW}" y2="${top + plotH}"/>`, `<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotH}"/>`);
  out.push('</g><g id="ticks" fill="#444">');
  for (let i = 0; i <= 5; i++) {
    const v = (yMax / 5) * i;
    out.push(`<text x="${left - 8}" y="${fmt(y(v) + 4)}" text-anchor="end">${Math.round(v)}</text>`);
  }
  const minuteStep = result.durationMs > 20 * 60_000 ? 5 : 1;
  for (let m = 0; m * 60_000 <= result.durationMs; m += minuteStep) {
    out.push(`<text x="${fmt(x(m * 60_000))}" y="${top + plotH + 16}" text-anchor="middle">${m}:00</text>`);
  }
  out.push(
    `<text x="${left + plotW / 2}" y="${top + plotH + 34}" text-anchor="middle">simulated time (min)</text>`,
    `<text x="18" y="${top + plotH / 2}" transform="rotate(-90 18 ${top + plotH / 2})" text-anchor="middle">window P99 (ms)</text>`,
    '</g>',
  );

  // Threshold line.
  out.push(
    `<line id="threshold-line" class="threshold" x1="${left}" y1="${fmt(y(result.thresholdMs))}" x2="${left + plotW}" y2="${fmt(y(result.thresholdMs))}" stroke="#c62828" stroke-width="1.5" stroke-dasharray="6 4"/>`,
    `<text x="${left + plotW - 4}" y="${fmt(y(result.thresholdMs) - 6)}" text-anchor="end" fill="#c62828">threshold ${result.thresholdMs} ms</text>`,
  );

  // P99 series (gaps where the window is empty).
  const segments: string[][] = [];
  let current: string[] = [];
  for (const p of result.points) {
    if (p.p99Ms === null) {
      if (current.length > 0) segments.push(current);
      current = [];
      continue;
    }
    current.push(`${fmt(x(p.elapsedMs))},${fmt(y(p.p99Ms))}`);
  }
  if (current.length > 0) segments.push(current);
  out.push('<g id="p99-series" fill="none" stroke="#1565c0" stroke-width="1.6">');
  for (const segment of segments) out.push(`<polyline class="p99" points="${segment.join(' ')}"/>`);
  out.push('</g>');

  // Transitions.
  out.push('<g id="transitions">');
  result.transitions.forEach((t, i) => {
    const tx = fmt(x(t.elapsedMs));
    out.push(
      `<line class="transition" data-from="${t.from}" data-to="${t.to}" x1="${tx}" y1="${top}" x2="${tx}" y2="${top + plotH}" stroke="${STATE_COLOURS[t.to]}" stroke-width="1"/>`,
      `<circle cx="${tx}" cy="${top + plotH + 50 + (i % 2) * 10}" r="3" fill="${STATE_COLOURS[t.to]}"><title>${escapeXml(`${formatTime(t.elapsedMs)} ${t.from} → ${t.to} (${t.reason.trigger})`)}</title></circle>`,
    );
  });
  out.push('</g>');

  // Legend.
  out.push('<g id="legend">');
  (['closed', 'open', 'halfOpen'] as const).forEach((state, i) => {
    const lx = left + i * 110;
    out.push(
      `<rect x="${lx}" y="${height - 18}" width="12" height="12" fill="${STATE_COLOURS[state]}" fill-opacity="0.5"/>`,
      `<text x="${lx + 16}" y="${height - 8}">${state}</text>`,
    );
  });
  out.push(`<text x="${left + 340}" y="${height - 8}" fill="#1565c0">— window P99</text>`, '</g>');
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/**
 * The state over time as [start, end) spans of simulated ms, from the transitions; the run starts closed.
 * Empty spans are dropped.
 *
 * @example
 * ```ts
 * stateSpans(result); // [{ state: 'closed', startMs: 0, endMs: 72000 }, { state: 'open', startMs: 72000, … }, …]
 * ```
 */
export function stateSpans(result: DemoResult): Array<{ state: BreakerState; startMs: number; endMs: number }> {
  const spans: Array<{ state: BreakerState; startMs: number; endMs: number }> = [];
  let state: BreakerState = 'closed';
  let start = 0;
  for (const t of result.transitions) {
    if (t.to === state) continue;
    spans.push({ state, startMs: start, endMs: t.elapsedMs });
    state = t.to;
    start = t.elapsedMs;
  }
  spans.push({ state, startMs: start, endMs: result.durationMs });
  return spans.filter((s) => s.endMs > s.startMs || spans.length === 1);
}

/**
 * Simulated time as `m:ss` (minutes unpadded, negatives shown as `0:00`).
 *
 * @example
 * ```ts
 * formatTime(95_000); // '1:35'
 * ```
 */
export function formatTime(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}

function niceCeiling(v: number): number {
  const step = v > 1000 ? 500 : 100;
  return Math.ceil(v / step) * step;
}

function fmt(v: number): string {
  return (Math.round(v * 10) / 10).toString();
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
