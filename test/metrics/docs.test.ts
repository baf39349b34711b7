import { readFileSync } from 'node:fs';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { startMetricsServer } from '../../examples/metrics-server.js';
import { parseExposition } from './parseExposition.js';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const METRIC = /\bp99_breaker_[a-z0-9_]+/g;

/** Every `expr` string anywhere in the dashboard JSON (targets, variables, annotations). */
function dashboardExpressions(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const item of node) dashboardExpressions(item, out);
  else if (typeof node === 'object' && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if ((key === 'expr' || key === 'query' || key === 'definition') && typeof value === 'string') out.push(value);
      else dashboardExpressions(value, out);
    }
  }
  return out;
}

/** The alert rules file, read as the small YAML subset it is written in: one `- alert:` block per rule. */
function alertRules(text: string): Array<{ alert: string; expr: string; severity: string | undefined }> {
  const blocks = text.split(/^\s*- alert: /m).slice(1);
  return blocks.map((block) => ({
    alert: block.split('\n')[0]!.trim(),
    expr: /^\s*expr: (.+)$/m.exec(block)?.[1]?.trim() ?? '',
    severity: /^\s*severity: (\S+)$/m.exec(block)?.[1],
  }));
}

function balanced(expr: string): boolean {
  let depth = 0;
  for (const c of expr.replace(/"[^"]*"/g, '""')) {
    if (c === '(' || c === '{' || c === '[') depth++;
    if (c === ')' || c === '}' || c === ']') depth--;
    if (depth < 0) return false;
  }
  return depth === 0;
}

async function scrapedNames(): Promise<Set<string>> {
  const server = await startMetricsServer({ port: 0, logger: pino({ level: 'silent' }) });
  try {
    await server.trip();
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const m = parseExposition(text);
    const names = new Set<string>();
    for (const f of m.families.values()) {
      names.add(f.name);
      if (f.type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(f.name + suffix);
    }
    return names;
  } finally {
    await server.close();
  }
}

describe('docs/monitoring.md, the Grafana dashboard and the alert rules', () => {
  it('use only metric names that a real scrape exposes', async () => {
    const names = await scrapedNames();
    const dashboard = JSON.parse(read('docs/grafana-dashboard.json')) as { panels: unknown[]; title: string };
    expect(dashboard.title).toBe('p99-breaker');
    const dashboardExprs = dashboardExpressions(dashboard);
    const rules = alertRules(read('docs/prometheus-alerts.yml'));
    const doc = read('docs/monitoring.md');

    const referenced = new Set([...dashboardExprs, ...rules.map((r) => r.expr), doc].flatMap((t) => t.match(METRIC) ?? []));
    expect(referenced.size).toBeGreaterThan(8);
    expect([...referenced].filter((name) => !names.has(name))).toEqual([]);
    // And the other way round: every metric a scrape exposes is documented.
    expect([...names].filter((n) => !/_(bucket|sum|count)$/.test(n) && !doc.includes(`\`${n}\``))).toEqual([]);
  });

  it('the dashboard has a target on every panel and the alert rules cover open, P99 near threshold and flapping', () => {
    const dashboard = JSON.parse(read('docs/grafana-dashboard.json')) as { panels: Array<{ title: string; targets: Array<{ expr: string }> }> };
    for (const panel of dashboard.panels) {
      expect(panel.targets.length, panel.title).toBeGreaterThan(0);
      for (const t of panel.targets) expect(balanced(t.expr), t.expr).toBe(true);
    }
    const rules = alertRules(read('docs/prometheus-alerts.yml'));
    expect(rules.map((r) => r.alert)).toEqual(expect.arrayContaining(['CircuitBreakerOpen', 'CircuitBreakerP99NearThreshold', 'CircuitBreakerFlapping']));
    for (const rule of rules) {
      expect(rule.expr, rule.alert).toMatch(METRIC);
      expect(balanced(rule.expr), rule.expr).toBe(true);
      expect(rule.severity, rule.alert).toBeDefined();
    }
  });
});
