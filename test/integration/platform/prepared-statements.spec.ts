import {
  isUniqueViolation,
  PreparedStatements,
  preparedStatement,
} from '../../../src/platform/database';
import { startTestApp, type TestApp } from '../../support/test-app';

const ECHO = preparedStatement(
  'test_prepared_echo',
  'SELECT CAST(:value AS int) + 1 AS next, CAST(:label AS text) AS label, CAST(:value AS int) AS same',
);
const DUPLICATE = preparedStatement(
  'test_prepared_duplicate',
  'INSERT INTO tenant_accounts (id, slug, name) VALUES (CAST(:id AS uuid), :slug, :slug)',
);

const count = (text: string, pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? 0);
const OBSERVED = /^db_query_duration_seconds_count (\d+)$/m;
const FAILED = /^db_query_errors_total (\d+)$/m;

describe.each([
  ['prepared (the default)', {}],
  ['plain queries (DATABASE_PREPARED_STATEMENTS=false)', { DATABASE_PREPARED_STATEMENTS: 'false' }],
])('PreparedStatements, %s', (_label, env) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env });
  });

  afterAll(async () => {
    await t.close();
  });

  it('binds named parameters once each, in order, however often they appear', async () => {
    const statements = t.app.get(PreparedStatements);
    for (const value of [1, 41, 7, 2, 3, 4, 5]) {
      // More than five runs: Postgres switches a prepared statement to its generic plan.
      expect(await statements.rows(ECHO, { value, label: `v${value}` })).toEqual([
        { next: value + 1, label: `v${value}`, same: value },
      ]);
    }
    await expect(statements.rows(ECHO, { value: 1 })).rejects.toThrow(
      'SQL parameter :label has no value',
    );
  });

  it('reports errors with their SQLSTATE and counts every run in the query metrics', async () => {
    const statements = t.app.get(PreparedStatements);
    const before = (await t.http.get('/metrics').expect(200)).text;
    const id = '4f9d2c1e-7a3b-4c5d-8e6f-0123456789ab';
    const slug = `prepared-${Date.now()}-${Object.keys(env).length}`;
    await statements.rows(DUPLICATE, { id, slug });
    const error = await statements.rows(DUPLICATE, { id, slug }).catch((caught: unknown) => caught);
    expect(isUniqueViolation(error)).toBe(true);
    const after = (await t.http.get('/metrics').expect(200)).text;
    expect(count(after, OBSERVED)).toBeGreaterThan(count(before, OBSERVED));
    expect(count(after, FAILED)).toBe(count(before, FAILED) + 1);
    await t.dataSource.query('DELETE FROM tenant_accounts WHERE id = $1', [id]);
  });
});
