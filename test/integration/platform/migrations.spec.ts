import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { ALL_MIGRATIONS } from '../../../migrations';
import { loadConfig } from '../../../src/platform/config/load-config';
import { createDataSource } from '../../../src/platform/database/data-source.factory';
import {
  migrationStatus,
  revertLastMigration,
  runPendingMigrations,
} from '../../../src/platform/database/migrator';
import { databaseUrl } from '../../support/backends';
import { usingRealPostgres } from '../../support/test-app';

async function tables(dataSource: DataSource): Promise<string[]> {
  const rows = await dataSource.query<{ table_name: string }[]>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
  );
  return rows.map((row) => row.table_name);
}

/** A fresh database migrates from zero, reverts to zero and migrates again (decision P9). */
describe('migrations up/down/up', () => {
  let dataSource: DataSource;
  let closeDataSource: () => Promise<void>;
  let dropDatabase: () => Promise<void> = async () => undefined;
  let env: Record<string, string> = { ENVIRONMENT: 'test', EMBEDDED_DATABASE_DIR: 'memory://' };
  const embedded = !usingRealPostgres();

  beforeAll(async () => {
    if (!embedded) {
      const adminUrl = process.env.TEST_POSTGRES_ADMIN_URL!;
      const name = `aa_migrate_${randomUUID().slice(0, 8)}`;
      const admin = new Client({ connectionString: adminUrl });
      await admin.connect();
      await admin.query(`CREATE DATABASE "${name}"`);
      await admin.end();
      env = { ...env, DATABASE_URL: databaseUrl(adminUrl, name) };
      dropDatabase = async () => {
        const client = new Client({ connectionString: adminUrl });
        await client.connect();
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await client.end();
      };
    }
    const standalone = await createDataSource(loadConfig(env, { readDotenvFiles: false }));
    dataSource = standalone.dataSource;
    closeDataSource = standalone.close;
    await dataSource.initialize();
  });

  afterAll(async () => {
    await closeDataSource();
    await dropDatabase();
  });

  it('applies every migration on an empty database, reverts all of them, and applies them again', async () => {
    const first = await runPendingMigrations(dataSource, { embedded });
    expect(first).toHaveLength(ALL_MIGRATIONS.length);
    const schema = await tables(dataSource);
    expect(schema).toEqual(
      expect.arrayContaining([
        'tenant_accounts',
        'users',
        'user_sessions',
        'service_account_tokens',
      ]),
    );
    expect((await migrationStatus(dataSource)).pending).toEqual([]);

    for (let i = 0; i < ALL_MIGRATIONS.length; i += 1)
      await revertLastMigration(dataSource, { embedded });
    expect((await migrationStatus(dataSource)).applied).toEqual([]);
    expect((await tables(dataSource)).filter((name) => name !== 'typeorm_migrations')).toEqual([]);

    const again = await runPendingMigrations(dataSource, { embedded });
    expect(again).toHaveLength(ALL_MIGRATIONS.length);
    expect(await tables(dataSource)).toEqual(schema);
  });

  it('lets concurrent runners apply each migration once (advisory lock)', async () => {
    if (embedded) return;
    for (let i = 0; i < ALL_MIGRATIONS.length; i += 1)
      await revertLastMigration(dataSource, { embedded });
    const standalone = await createDataSource(loadConfig(env, { readDotenvFiles: false }));
    const other = standalone.dataSource;
    await other.initialize();
    try {
      const [a, b] = await Promise.all([
        runPendingMigrations(dataSource, { embedded }),
        runPendingMigrations(other, { embedded }),
      ]);
      expect(a.length + b.length).toBe(ALL_MIGRATIONS.length);
    } finally {
      await standalone.close();
    }
  });
});
