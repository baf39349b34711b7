/**
 * The viewer's HTML: the statechart (the generated SVG, fetched from `/diagram.svg`), the current state,
 * the P99 against its threshold as a live chart, and the last transitions with their reasons. Plain HTML;
 * the behaviour is in `/viewer.js` ({@link viewerScript}), so the page runs under a strict
 * Content-Security-Policy with no inline script.
 *
 * @example
 * ```ts
 * response.end(viewerHtml());
 * ```
 */
export function viewerHtml(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>p99-breaker inspector</title>
<link rel="stylesheet" href="/viewer.css">
</head>
<body>
<header>
  <h1>p99-breaker inspector</h1>
  <span id="connection" data-connected="false">connecting…</span>
</header>
<main>
  <section id="summary">
    <div class="field"><span class="label">breaker</span> <span id="breaker-name">—</span></div>
    <div class="field"><span class="label">state</span> <span id="state" data-state="">waiting for a breaker…</span></div>
    <div class="field"><span class="label">machine state</span> <span id="state-path">—</span></div>
    <div class="field"><span class="label">P99</span> <span id="p99">—</span> <span class="label">threshold</span> <span id="threshold">—</span></div>
    <div class="field"><span class="label">samples</span> <span id="samples">—</span> <span class="label">error rate</span> <span id="error-rate">—</span> <span class="label">attempt</span> <span id="attempt">—</span></div>
    <div class="field"><span class="label">calls</span> <span id="counts">—</span></div>
  </section>
  <section id="chart-section">
    <h2>P99 vs threshold</h2>
    <svg id="chart" viewBox="0 0 600 170" width="600" height="170" role="img" aria-label="P99 over time against the latency threshold"></svg>
  </section>
  <section id="diagram-section">
    <h2>Statechart</h2>
    <div id="diagram">loading the diagram…</div>
  </section>
  <section id="transitions-section">
    <h2>Last transitions</h2>
    <ol id="transitions"></ol>
  </section>
</main>
<script src="/viewer.js"></script>
</body>
</html>
`;
}

/**
 * The viewer's stylesheet. The current state's node (and its compound parents' clusters) in the SVG get
 * the `active` class.
 *
 * @example
 * ```ts
 * response.end(viewerCss());
 * ```
 */
export function viewerCss(): string {
  return `body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1a202c; background: #f7fafc; }
header { display: flex; align-items: baseline; gap: 1em; padding: 0.5em 1em; background: #2d3748; color: #fff; }
header h1 { font-size: 1.1em; margin: 0; }
#connection[data-connected="true"] { color: #9ae6b4; }
#connection[data-connected="false"] { color: #feb2b2; }
main { display: grid; grid-template-columns: minmax(420px, 1fr) minmax(420px, 1.4fr); gap: 1em; padding: 1em; }
section { background: #fff; border: 1px solid #e2e8f0; border-radius: 6px; padding: 0.75em 1em; }
h2 { font-size: 1em; margin: 0 0 0.5em; }
#diagram-section { grid-column: 1 / -1; overflow: auto; }
#diagram svg { max-width: 100%; height: auto; }
.label { color: #718096; font-size: 0.85em; margin-left: 0.5em; }
.field { margin: 0.2em 0; }
#state { font-weight: 700; padding: 0.1em 0.5em; border-radius: 4px; background: #edf2f7; }
#state[data-state="closed"] { background: #c6f6d5; }
#state[data-state="open"], #state[data-state="forcedOpen"] { background: #fed7d7; }
#state[data-state="halfOpen"] { background: #fefcbf; }
#state[data-state="disabled"] { background: #e2e8f0; }
#transitions { margin: 0; padding-left: 1.5em; max-height: 22em; overflow: auto; }
#transitions li { margin: 0.25em 0; }
#transitions .move { font-weight: 600; }
#transitions .why { color: #4a5568; }
#diagram g.node.active > path, #diagram g.node.active > polygon { fill: #fbd38d; stroke: #c05621; stroke-width: 2; }
#diagram g.cluster.active > path, #diagram g.cluster.active > polygon { stroke: #c05621; stroke-width: 2.5; }
#chart .threshold { stroke: #e53e3e; stroke-dasharray: 6 4; }
#chart .p99 { fill: none; stroke: #3182ce; stroke-width: 2; }
#chart text { font-size: 10px; fill: #4a5568; }
`;
}
