import type { DataSource, Migration } from 'typeorm';

const LOCK_NAME = 'anything-agents:migrations';

export interface MigrationStatus {
  applied: string[];
  pending: string[];
}

/**
 * Runs pending migrations under a Postgres advisory lock, so replicas booting together with
 * AUTO_RUN_MIGRATIONS (or a deploy job racing a pod) never apply the same migration twice.
 * The embedded database has one connection and one process, so it needs no lock.
 */
export async function runPendingMigrations(
  dataSource: DataSource,
  options: { embedded: boolean },
): Promise<string[]> {
  const run = async () =>
    (await dataSource.runMigrations({ transaction: 'each' })).map((m: Migration) => m.name);
  if (options.embedded) return run();
  return withAdvisoryLock(dataSource, run);
}

/** Reverts the newest applied migration (one step), under the same lock. */
export async function revertLastMigration(
  dataSource: DataSource,
  options: { embedded: boolean },
): Promise<void> {
  const revert = () => dataSource.undoLastMigration({ transaction: 'each' });
  if (options.embedded) return revert();
  return withAdvisoryLock(dataSource, revert);
}

export async function migrationStatus(dataSource: DataSource): Promise<MigrationStatus> {
  const table = dataSource.options.migrationsTableName ?? 'migrations';
  const exists = await dataSource.query<{ name: string | null }[]>(
    `SELECT to_regclass($1) AS name`,
    [table],
  );
  const appliedRows = exists[0]?.name
    ? await dataSource.query<{ name: string }[]>(`SELECT name FROM "${table}" ORDER BY timestamp`)
    : [];
  const applied = appliedRows.map((row) => row.name);
  const known = dataSource.migrations.map((m) => m.name ?? m.constructor.name);
  return { applied, pending: known.filter((name) => !applied.includes(name)) };
}

async function withAdvisoryLock<T>(dataSource: DataSource, work: () => Promise<T>): Promise<T> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [LOCK_NAME]);
    try {
      return await work();
    } finally {
      await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [LOCK_NAME]);
    }
  } finally {
    await runner.release();
  }
}
