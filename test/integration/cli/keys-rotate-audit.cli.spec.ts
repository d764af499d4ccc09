import { startTestApp, usingRealPostgres, type TestApp } from '../../support/test-app';
import { cliEnv, runCommand, tempDir, type Env } from './cli-harness';

// The CLI and the reading app must share one database: the run's real Postgres.
const describeWithSharedDatabase = usingRealPostgres() ? describe : describe.skip;

describeWithSharedDatabase('CLI: keys rotate writes signing_key.rotated to the audit log', () => {
  let api: TestApp;
  let dir: ReturnType<typeof tempDir>;
  let env: Env;

  beforeAll(async () => {
    api = await startTestApp();
    dir = tempDir('aa-cli-keys-audit-');
    env = cliEnv(dir.path);
  });
  afterAll(async () => {
    await api.close();
    dir.remove();
  });

  it('records the new kid and the previous one, with no actor and no tenant', async () => {
    const first = await runCommand(['keys', 'rotate'], env);
    expect(first.code).toBe(0);
    const second = await runCommand(['keys', 'rotate'], env);
    expect(second.code).toBe(0);
    const report = JSON.parse(second.stdout) as { kid: string; previous_kid: string };
    const rows = await api.dataSource.query<Record<string, unknown>[]>(
      `SELECT tenant_id, actor_user_id, actor_account, target_type, target_id, details
         FROM audit_events WHERE action = 'signing_key.rotated' AND target_id = $1`,
      [report.kid],
    );
    expect(rows).toEqual([
      {
        tenant_id: null,
        actor_user_id: null,
        actor_account: null,
        target_type: 'signing_key',
        target_id: report.kid,
        details: expect.objectContaining({
          previous_kid: report.previous_kid,
          storage_backend: 'file',
        }),
      },
    ]);
  });
});
