// deploy/grafana/gateway.json against the metrics a gateway exports: every series a panel or a
// template variable queries is one of the registry createMetrics builds (histograms as _bucket/_sum/
// _count), every label in a matcher, `by (…)`, `on/ignoring (…)` or `label_values` exists on the
// metrics it applies to, and each legend names only labels its query keeps.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/observability/metrics';
import { parsePromQL, type ParsedExpression } from './promql';

/** Labels Prometheus adds to every scraped series. */
const TARGET_LABELS = ['job', 'instance'];

interface Target {
  expr: string;
  legendFormat?: string;
  refId: string;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  datasource?: { type: string; uid: string };
  targets?: Target[];
}
interface Dashboard {
  uid: string;
  panels: Panel[];
  templating: { list: { name: string; type: string; definition?: string }[] };
}

const dashboard = JSON.parse(readFileSync('deploy/grafana/gateway.json', 'utf8')) as Dashboard;
const queryPanels = dashboard.panels.filter((p) => p.type !== 'row');

/** Series name → its labels, from a gateway's own registry. */
async function exportedSeries(): Promise<Map<string, Set<string>>> {
  const { registry } = createMetrics();
  const series = new Map<string, Set<string>>();
  for (const metric of await registry.getMetricsAsJSON()) {
    const declared = (registry.getSingleMetric(metric.name) as unknown as { labelNames?: readonly string[] } | undefined)?.labelNames ?? [];
    const seen = metric.values.flatMap((v) => Object.keys(v.labels));
    const labels = [...new Set([...declared, ...seen, ...TARGET_LABELS])].filter((l) => l !== 'le' && l !== 'quantile');
    if (String(metric.type) === 'histogram') {
      series.set(`${metric.name}_bucket`, new Set([...labels, 'le']));
      series.set(`${metric.name}_sum`, new Set(labels));
      series.set(`${metric.name}_count`, new Set(labels));
    } else if (String(metric.type) === 'summary') {
      series.set(metric.name, new Set([...labels, 'quantile']));
      series.set(`${metric.name}_sum`, new Set(labels));
      series.set(`${metric.name}_count`, new Set(labels));
    } else series.set(metric.name, new Set(labels));
  }
  registry.clear();
  return series;
}

/** Every problem of one expression: unknown series, unknown labels in matchers and groupings. */
function expressionProblems(where: string, parsed: ParsedExpression, series: Map<string, Set<string>>): string[] {
  const problems: string[] = [];
  for (const selector of parsed.selectors) {
    if (selector.name === undefined) {
      problems.push(`${where}: a selector without a metric name`);
      continue;
    }
    const labels = series.get(selector.name);
    if (labels === undefined) {
      problems.push(`${where}: ${selector.name} is not a series the gateway exports`);
      continue;
    }
    for (const label of selector.labels) if (!labels.has(label)) problems.push(`${where}: ${selector.name} has no label ${label}`);
  }
  for (const grouping of parsed.groupings) {
    const inside = parsed.selectors.filter((s) => s.at > grouping.from && s.at < grouping.to && s.name !== undefined);
    for (const selector of inside) {
      const labels = series.get(selector.name ?? '');
      if (labels === undefined) continue;
      for (const label of grouping.labels) if (!labels.has(label)) problems.push(`${where}: ${grouping.clause} (${label}): ${selector.name} has no label ${label}`);
    }
  }
  return problems;
}

/** The labels a legend may name: those of the outermost aggregation's `by`, else every label of the selectors. */
function legendProblems(where: string, target: Target, parsed: ParsedExpression, series: Map<string, Set<string>>): string[] {
  const placeholders = [...(target.legendFormat ?? '').matchAll(/\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g)].map((m) => m[1] ?? '');
  const outer = parsed.groupings.filter((g) => g.clause === 'by').sort((a, b) => a.from - b.from)[0];
  const available = outer !== undefined ? new Set(outer.labels.filter((l) => l !== 'le')) : new Set(parsed.selectors.flatMap((s) => [...(series.get(s.name ?? '') ?? [])]));
  return placeholders.filter((p) => !available.has(p)).map((p) => `${where}: legend {{${p}}} is not a label of the query's result`);
}

function dashboardProblems(d: Dashboard, series: Map<string, Set<string>>): string[] {
  const problems: string[] = [];
  for (const panel of d.panels.filter((p) => p.type !== 'row')) {
    if (!panel.targets || panel.targets.length === 0) problems.push(`panel "${panel.title}": no query`);
    for (const target of panel.targets ?? []) {
      const where = `panel "${panel.title}" ${target.refId}`;
      let parsed: ParsedExpression;
      try {
        parsed = parsePromQL(target.expr);
      } catch (error) {
        problems.push(`${where}: ${(error as Error).message}`);
        continue;
      }
      if (parsed.selectors.length === 0) problems.push(`${where}: no metric`);
      problems.push(...expressionProblems(where, parsed, series), ...legendProblems(where, target, parsed, series));
    }
  }
  for (const variable of d.templating.list.filter((v) => v.type === 'query')) {
    const where = `variable $${variable.name}`;
    const match = /^label_values\((.+),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)$/.exec(variable.definition ?? '');
    if (!match) {
      problems.push(`${where}: expected label_values(<selector>, <label>)`);
      continue;
    }
    const parsed = parsePromQL(match[1] ?? '');
    problems.push(...expressionProblems(where, parsed, series));
    for (const selector of parsed.selectors) {
      if (!series.get(selector.name ?? '')?.has(match[2] ?? '')) problems.push(`${where}: ${selector.name} has no label ${match[2]}`);
    }
  }
  return problems;
}

describe('Grafana dashboard', () => {
  it('queries only series and labels a gateway exports', async () => {
    const series = await exportedSeries();
    // The registry is the gateway's: its own instruments and the process ones.
    expect(series.get('bff_graphql_request_duration_seconds_bucket')).toEqual(new Set(['operation', 'outcome', 'job', 'instance', 'le']));
    expect(series.get('bff_upstream_attempts_total')).toEqual(new Set(['provider', 'status_class', 'job', 'instance']));
    expect(series.has('process_cpu_seconds_total')).toBe(true);
    expect(dashboardProblems(dashboard, series)).toEqual([]);
  });

  it('names what is wrong: an unknown series, a label a metric lacks, a legend the query drops', async () => {
    const series = await exportedSeries();
    const broken: Dashboard = {
      ...dashboard,
      templating: { list: [{ name: 'provider', type: 'query', definition: 'label_values(bff_upstream_attempts_total, operation)' }] },
      panels: [
        { id: 1, type: 'timeseries', title: 'a', gridPos: { h: 1, w: 1, x: 0, y: 0 }, targets: [{ refId: 'A', expr: 'sum(rate(bff_graphql_requests_total[5m]))' }] },
        { id: 2, type: 'timeseries', title: 'b', gridPos: { h: 1, w: 1, x: 0, y: 0 }, targets: [{ refId: 'A', expr: 'sum by (operation) (rate(bff_graphql_errors_total{provider="x"}[5m]))' }] },
        { id: 3, type: 'timeseries', title: 'c', gridPos: { h: 1, w: 1, x: 0, y: 0 }, targets: [{ refId: 'A', expr: 'histogram_quantile(0.9, sum by (le) (rate(bff_upstream_attempt_duration_seconds_bucket[5m])))', legendFormat: '{{provider}}' }] },
        { id: 4, type: 'timeseries', title: 'd', gridPos: { h: 1, w: 1, x: 0, y: 0 }, targets: [{ refId: 'A', expr: 'sum(rate(bff_response_cache_total[5m])) / ignoring (code) sum(rate(bff_graphql_errors_total[5m]))' }] },
      ],
    };
    expect(dashboardProblems(broken, series)).toEqual([
      'panel "a" A: bff_graphql_requests_total is not a series the gateway exports',
      'panel "b" A: bff_graphql_errors_total has no label provider',
      'panel "b" A: by (operation): bff_graphql_errors_total has no label operation',
      'panel "c" A: legend {{provider}} is not a label of the query\'s result',
      'panel "d" A: ignoring (code): bff_response_cache_total has no label code',
      'variable $provider: bff_upstream_attempts_total has no label operation',
    ]);
  });

  it('shows what the issue asks for: rate, latency quantiles and errors by operation and code; upstream latency, attempts, retries and breakers by provider; rate limiting; cache hit ratio', () => {
    const parsed = queryPanels.flatMap((p) => (p.targets ?? []).map((t) => ({ title: p.title, expr: t.expr, parsed: parsePromQL(t.expr) })));
    const grouped = (metric: string, label: string) =>
      parsed.some((q) => q.parsed.selectors.some((s) => s.name === metric) && q.parsed.groupings.some((g) => g.clause === 'by' && g.labels.includes(label)));
    expect(grouped('bff_graphql_request_duration_seconds_count', 'operation')).toBe(true);
    expect(grouped('bff_graphql_request_duration_seconds_bucket', 'operation')).toBe(true);
    expect(grouped('bff_graphql_errors_total', 'code')).toBe(true);
    for (const metric of ['bff_upstream_attempt_duration_seconds_bucket', 'bff_upstream_attempts_total', 'bff_upstream_retries_total', 'bff_upstream_breaker_state']) {
      expect([metric, grouped(metric, 'provider')]).toEqual([metric, true]);
    }
    const quantiles = parsed.filter((q) => q.expr.includes('bff_graphql_request_duration_seconds_bucket')).map((q) => /histogram_quantile\(([\d.]+),/.exec(q.expr)?.[1]);
    expect(new Set(quantiles)).toEqual(new Set(['0.5', '0.95', '0.99']));
    expect(parsed.some((q) => q.parsed.selectors.some((s) => s.name === 'bff_inbound_rate_limited_total'))).toBe(true);
    const hitRatio = parsed.find((q) => q.title === 'Response cache hit ratio');
    expect(hitRatio?.expr).toMatch(/^sum\(rate\(bff_response_cache_total\{[^}]*outcome=~"hit\|not-modified"\}.*\/ sum\(rate\(bff_response_cache_total\{[^}]*outcome=~"hit\|not-modified\|miss"\}/);
  });

  it('is importable: unique ids, the data source variable on every query, panels inside 24 columns without overlap', () => {
    expect(dashboard.uid).toBe('bff-gateway');
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
    expect(dashboard.templating.list.find((v) => v.type === 'datasource')?.name).toBe('datasource');
    for (const panel of queryPanels) expect([panel.title, panel.datasource?.uid]).toEqual([panel.title, '${datasource}']);
    const cells = new Map<string, string>();
    for (const panel of dashboard.panels) {
      const { x, y, w, h } = panel.gridPos;
      expect([panel.title, x + w <= 24]).toEqual([panel.title, true]);
      for (let i = x; i < x + w; i++) {
        for (let j = y; j < y + h; j++) {
          const key = `${i},${j}`;
          expect([panel.title, cells.get(key)]).toEqual([panel.title, undefined]);
          cells.set(key, panel.title);
        }
      }
    }
  });
});
