import { instance, type Viz } from '@viz-js/viz';

let viz: Promise<Viz> | undefined;

/**
 * Renders DOT to SVG in-process with Graphviz compiled to WebAssembly (`@viz-js/viz`): no browser, no
 * system Graphviz. The output is deterministic: comments (they name the Graphviz version) are removed,
 * trailing spaces trimmed, and Graphviz's built-in font metrics do not depend on the host's fonts.
 *
 * @throws Error when Graphviz reports any error or warning (an edge it could not clip, a bad attribute):
 *   a generated diagram should render cleanly.
 * @example
 * ```ts
 * const svg = await renderSvg('digraph { a -> b }');
 * svg.startsWith('<?xml'); // true
 * ```
 */
export async function renderSvg(dot: string): Promise<string> {
  viz ??= instance();
  const result = (await viz).render(dot, { format: 'svg', engine: 'dot' });
  if (result.status !== 'success' || result.errors.length > 0) {
    const messages = result.errors.map((e) => `${e.level ?? 'error'}: ${e.message.trim()}`).join('\n');
    throw new Error(`Graphviz could not render the diagram cleanly:\n${messages}`);
  }
  return normalizeSvg(result.output);
}

/** Strips comments and trailing whitespace so that the committed SVG only changes when the drawing does. */
export function normalizeSvg(svg: string): string {
  return `${svg
    .replace(/<!--[\s\S]*?-->\n?/g, '')
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line, i, all) => line !== '' || (i > 0 && all[i - 1] !== ''))
    .join('\n')
    .trim()}\n`;
}
