import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { databaseUrl } from '../backends';
import { usingRealPostgres } from '../test-app';

export interface IsolatedDatabase {
  /** Env for `startTestApp` pointing at a database nobody else writes to (migrated at boot). */
  env: Record<string, string>;
  drop(): Promise<void>;
}

/**
 * A database of its own for a suite that asserts "nothing was written" over every table: the
 * run's shared database is written by test files in other workers at the same time. Real
 * Postgres gets a throwaway database (dropped by `drop`); the embedded fallback a private
 * in-memory instance.
 */
export async function isolatedDatabase(label: string): Promise<IsolatedDatabase> {
  const suffix = randomUUID().replace(/-/g, '').slice(0, 8);
  if (!usingRealPostgres()) {
    return {
      env: {
        DATABASE_URL: '',
        EMBEDDED_DATABASE_DIR: `memory://${label}-${suffix}`,
        AUTO_RUN_MIGRATIONS: 'true',
      },
      drop: async () => undefined,
    };
  }
  const adminUrl = process.env.TEST_POSTGRES_ADMIN_URL!;
  const name = `aa_${label.replace(/[^a-z0-9]/g, '_')}_${process.env.TEST_RUN_ID ?? 'local'}_${suffix}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  return {
    env: { DATABASE_URL: databaseUrl(adminUrl, name), AUTO_RUN_MIGRATIONS: 'true' },
    async drop() {
      if (process.env.TEST_KEEP_DATABASE === 'true') return;
      const client = new Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
    },
  };
}

/** Per table: live rows and the sum of their `xmin` (changes on any insert, update or delete). */
export type TableSnapshot = Record<string, { rows: number; version: string }>;

/**
 * Reads every application table in one statement. The table list comes from the catalog, so
 * tables added by later migrations are covered without touching this file.
 */
export class DatabaseSnapshots {
  private sql?: string;

  constructor(private readonly dataSource: DataSource) {}

  async take(): Promise<TableSnapshot> {
    this.sql ??= await this.buildSql();
    const rows = await this.dataSource.query<{ t: string; n: number; v: string | null }[]>(
      this.sql,
    );
    const snapshot: TableSnapshot = {};
    for (const row of rows) snapshot[row.t] = { rows: Number(row.n), version: row.v ?? '0' };
    return snapshot;
  }

  /** Waits until two reads 30 ms apart agree (work a successful request left running). */
  async settled(timeoutMs = 3000): Promise<TableSnapshot> {
    const deadline = Date.now() + timeoutMs;
    let previous = await this.take();
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 30));
      const current = await this.take();
      if (diffSnapshots(previous, current).length === 0 || Date.now() > deadline) return current;
      previous = current;
    }
  }

  private async buildSql(): Promise<string> {
    const tables = await this.dataSource.query<{ table_name: string }[]>(
      `SELECT table_name FROM information_schema.tables
        WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'typeorm_migrations'
        ORDER BY table_name`,
    );
    if (tables.length === 0) throw new Error('no application tables found');
    return tables
      .map(
        ({ table_name: name }) =>
          `SELECT '${name}' AS t, count(*)::int AS n, sum(xmin::text::bigint)::text AS v FROM "${name}"`,
      )
      .join(' UNION ALL ');
  }
}

/** Tables whose row count or row versions differ, e.g. `users: rows 3 -> 4`. */
export function diffSnapshots(before: TableSnapshot, after: TableSnapshot): string[] {
  const changes: string[] = [];
  for (const table of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const a = before[table];
    const b = after[table];
    if (!a || !b) changes.push(`${table}: table appeared or vanished`);
    else if (a.rows !== b.rows) changes.push(`${table}: rows ${a.rows} -> ${b.rows}`);
    else if (a.version !== b.version) changes.push(`${table}: rows updated`);
  }
  return changes;
}
