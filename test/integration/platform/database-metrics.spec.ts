import { startTestApp, usingRealPostgres, type TestApp } from '../../support/test-app';

/** The database gauges as a scrape sees them, read from the live pool and migrations table. */
describe('database metrics', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it('db_schema_version is the newest applied migration', async () => {
    const [{ version }] = await t.dataSource.query<{ version: string }[]>(
      'SELECT max("timestamp")::text AS version FROM typeorm_migrations',
    );
    expect(Number(version)).toBeGreaterThanOrEqual(1764100600000);
    const scrape = await t.http.get('/metrics').expect(200);
    expect(scrape.text).toContain('# TYPE db_schema_version gauge');
    expect(scrape.text).toMatch(new RegExp(`^db_schema_version ${version}$`, 'm'));
  });

  it('db_schema_expected_version is the newest migration the build ships (here: all applied)', async () => {
    const shipped = t.dataSource.migrations.map((m) => Number(/(\d{13})$/.exec(m.name ?? '')?.[1]));
    expect(shipped.length).toBeGreaterThanOrEqual(8);
    expect(shipped).not.toContain(Number.NaN);
    const newest = Math.max(...shipped);
    const scrape = await t.http.get('/metrics').expect(200);
    expect(scrape.text).toMatch(new RegExp(`^db_schema_expected_version ${newest}$`, 'm'));
    // Boot ran every migration, so code and database agree (the SchemaBehindCode alert is quiet).
    expect(scrape.text).toMatch(new RegExp(`^db_schema_version ${newest}$`, 'm'));
  });

  (usingRealPostgres() ? it : it.skip)(
    'db_pool_connections counts in-use, idle and waiting connections of the pool',
    async () => {
      // Hold two connections while scraping: both show as in use.
      const held = [t.dataSource.createQueryRunner(), t.dataSource.createQueryRunner()];
      try {
        for (const runner of held) await runner.connect();
        const busy = await t.http.get('/metrics').expect(200);
        const inUse = Number(/^db_pool_connections\{state="in_use"\} (\d+)$/m.exec(busy.text)?.[1]);
        expect(inUse).toBeGreaterThanOrEqual(2);
        expect(busy.text).toMatch(/^db_pool_connections\{state="idle"\} \d+$/m);
        expect(busy.text).toMatch(/^db_pool_connections\{state="waiting"\} 0$/m);
      } finally {
        for (const runner of held) await runner.release();
      }
      const after = await t.http.get('/metrics').expect(200);
      const inUseAfter = Number(
        /^db_pool_connections\{state="in_use"\} (\d+)$/m.exec(after.text)?.[1],
      );
      expect(inUseAfter).toBeLessThan(2);
    },
  );

  it('observes query durations and counts failed queries', async () => {
    const count = (text: string, pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? 0);
    const before = (await t.http.get('/metrics').expect(200)).text;
    await t.dataSource.query('SELECT 1');
    await expect(t.dataSource.query('SELECT * FROM no_such_table')).rejects.toThrow();
    const after = (await t.http.get('/metrics').expect(200)).text;
    const observed = /^db_query_duration_seconds_count (\d+)$/m;
    const failed = /^db_query_errors_total (\d+)$/m;
    expect(count(after, observed)).toBeGreaterThan(count(before, observed));
    expect(count(after, failed)).toBe(count(before, failed) + 1);
    expect(after).toContain('db_query_duration_seconds_bucket{le="0.001"}');
  });
});
