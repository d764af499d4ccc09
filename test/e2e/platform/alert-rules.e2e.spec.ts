import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startTestApp } from '../../support/test-app';

interface RuleFile {
  groups: { name: string; rules: { alert: string; expr: string }[] }[];
}

const RULES = join(__dirname, '../../../deploy/monitoring/prometheus-alerts.yml');
/** PromQL words that are not metric names. */
const PROMQL = new Set([
  'sum',
  'rate',
  'max',
  'min',
  'count',
  'by',
  'on',
  'and',
  'or',
  'time',
  'le',
  'status',
  'state',
  'worker',
  'histogram_quantile',
  'clamp_min',
  'e',
  'm',
]);

/** The example alert rules name only metrics the app exports (a rename breaks this test). */
describe('example alert rules', () => {
  it('every metric an alert uses is in /metrics', async () => {
    const file = parse(readFileSync(RULES, 'utf8')) as RuleFile;
    const expressions = file.groups.flatMap((group) => group.rules.map((rule) => rule.expr));
    expect(expressions.length).toBeGreaterThan(5);
    const names = new Set<string>();
    for (const expr of expressions) {
      const code = expr.replace(/"[^"]*"/g, '').replace(/\[[^\]]*\]/g, '');
      for (const word of code.match(/[a-z_][a-z0-9_]*/g) ?? []) {
        if (!PROMQL.has(word)) names.add(word.replace(/_(bucket|count|sum)$/, ''));
      }
    }
    // With billing off its families are still registered, so one app answers for all of them.
    const t = await startTestApp({ env: { ENABLE_BILLING: 'false', AUDIT_RETENTION_DAYS: '30' } });
    try {
      const scrape = (await t.http.get('/metrics').expect(200)).text;
      const missing = [...names].filter((name) => !scrape.includes(`# TYPE ${name} `));
      expect(missing).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
