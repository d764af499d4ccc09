import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startTestApp, type TestApp } from '../../support/test-app';

interface RuleFile {
  groups: { name: string; rules: { alert: string; expr: string }[] }[];
}

interface DashboardPanel {
  type: string;
  title?: string;
  targets?: { expr?: string }[];
  /** Panels of a collapsed row. */
  panels?: DashboardPanel[];
}

interface Dashboard {
  panels: DashboardPanel[];
}

const MONITORING = join(__dirname, '../../../deploy/monitoring');
const RULES = join(MONITORING, 'prometheus-alerts.yml');
const DASHBOARD = join(MONITORING, 'grafana-dashboard.json');

/** PromQL keywords and operators that are neither functions nor metric names. */
const PROMQL_KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'inf',
  'nan',
]);

/**
 * The metric names one PromQL expression reads. Strings, `{...}` selectors, `[...]` ranges,
 * `by/without/on/ignoring (...)` label lists and numbers are removed first, so label names and
 * Grafana variables never look like metrics; a word followed by `(` is a function or aggregation.
 * Histogram series (`_bucket`, `_count`, `_sum`) map to their family name.
 */
function metricNames(expr: string): string[] {
  const code = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/gi, ' ')
    .replace(/(?<![A-Za-z0-9_:])\d+(?:\.\d+)?(?:e[+-]?\d+)?/gi, ' ');
  const names = new Set<string>();
  for (const match of code.matchAll(/([A-Za-z_:][A-Za-z0-9_:]*)(\s*\()?/g)) {
    const [, word, call] = match;
    if (call || PROMQL_KEYWORDS.has(word.toLowerCase())) continue;
    names.add(word.replace(/_(bucket|count|sum)$/, ''));
  }
  return [...names];
}

/** The names of `names` that have no `# TYPE <name> ` line in a /metrics scrape. */
function missingFrom(scrape: string, names: Iterable<string>): string[] {
  return [...new Set(names)].filter((name) => !scrape.includes(`# TYPE ${name} `));
}

function alertExpressions(): string[] {
  const file = parse(readFileSync(RULES, 'utf8')) as RuleFile;
  return file.groups.flatMap((group) => group.rules.map((rule) => rule.expr));
}

/** Every panel with targets, including the panels of collapsed rows. */
function dashboardPanels(): DashboardPanel[] {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Dashboard;
  const flatten = (panels: DashboardPanel[]): DashboardPanel[] =>
    panels.flatMap((panel) => [panel, ...flatten(panel.panels ?? [])]);
  return flatten(dashboard.panels).filter((panel) => (panel.targets ?? []).length > 0);
}

describe('metric name extraction', () => {
  it('finds metric names and skips functions, labels, groupings and numbers', () => {
    expect(metricNames('rate(not_a_real_metric_total[5m])')).toEqual(['not_a_real_metric_total']);
    expect(
      metricNames(
        'histogram_quantile(0.95, sum by (le, route) (rate(http_server_request_duration_seconds_bucket{job=~"$job", status=~"5.."}[$__rate_interval]))) / clamp_min(x_total, 1e-9)',
      ),
    ).toEqual(['http_server_request_duration_seconds', 'x_total']);
    expect(
      metricNames('(time() - a_seconds > 900) and on (worker) (b_seconds{worker="w"} > 0)'),
    ).toEqual(['a_seconds', 'b_seconds']);
  });

  it('reports a made-up name as missing from a scrape', () => {
    const scrape = '# TYPE db_schema_version gauge\ndb_schema_version 1\n';
    const names = metricNames('rate(not_a_real_metric_total[5m]) + db_schema_version');
    expect(missingFrom(scrape, names)).toEqual(['not_a_real_metric_total']);
  });
});

/**
 * The example alert rules and the Grafana dashboard name only metrics the app exports (a rename
 * breaks this test).
 */
describe('monitoring examples', () => {
  let scrape: string;
  let t: TestApp | undefined;

  beforeAll(async () => {
    // With billing off its families are still registered, so one app answers for all of them.
    t = await startTestApp({ env: { ENABLE_BILLING: 'false', AUDIT_RETENTION_DAYS: '30' } });
    scrape = (await t.http.get('/metrics').expect(200)).text;
  });

  afterAll(async () => {
    await t?.close();
  });

  it('every metric an alert uses is in /metrics', () => {
    const expressions = alertExpressions();
    expect(expressions.length).toBeGreaterThan(5);
    const names = expressions.flatMap((expr) => metricNames(expr));
    expect(names.length).toBeGreaterThan(5);
    expect(missingFrom(scrape, names)).toEqual([]);
    // The check can fail: a made-up name is reported against the real scrape.
    expect(missingFrom(scrape, metricNames('rate(not_a_real_metric_total[5m])'))).toEqual([
      'not_a_real_metric_total',
    ]);
  });

  it('every metric a dashboard panel uses is in /metrics', () => {
    const panels = dashboardPanels();
    expect(panels.length).toBeGreaterThanOrEqual(12);
    const names: string[] = [];
    for (const panel of panels) {
      for (const target of panel.targets ?? []) {
        const found = metricNames(target.expr ?? '');
        // Each target names at least one metric (an empty or unparsable expr fails here).
        expect({ panel: panel.title, expr: target.expr, found: found.length > 0 }).toEqual({
          panel: panel.title,
          expr: target.expr,
          found: true,
        });
        names.push(...found);
      }
    }
    expect(missingFrom(scrape, names)).toEqual([]);
  });
});
