import { Client } from 'pg';
import { loadConfig } from '../../src/platform/config/load-config';
import { createDataSource } from '../../src/platform/database/data-source.factory';
import { runPendingMigrations } from '../../src/platform/database/migrator';
import {
  databaseUrl,
  DEFAULT_TEST_POSTGRES_URL,
  DEFAULT_TEST_REDIS_URL,
  postgresAnswers,
  redisAnswers,
} from '../../test/support/backends';

export interface BenchBackends {
  /** Env for app processes: the bench database and Redis, or nothing (embedded). */
  env: Record<string, string>;
  description: string;
  /** Transactions committed or rolled back in the bench database so far; null when embedded. */
  transactions(): Promise<number | null>;
  cleanup(): Promise<void>;
}

/** A throwaway migrated database on the real Postgres (and the real Redis) when they answer. */
export async function prepareBackends(): Promise<BenchBackends> {
  const adminUrl = process.env.BENCH_POSTGRES_URL ?? DEFAULT_TEST_POSTGRES_URL;
  const redisUrl = process.env.BENCH_REDIS_URL ?? DEFAULT_TEST_REDIS_URL;
  const [pgUp, redisUp] = await Promise.all([postgresAnswers(adminUrl), redisAnswers(redisUrl)]);
  const env: Record<string, string> = {};
  const parts: string[] = [];
  let cleanup = async () => undefined;
  let transactions = async (): Promise<number | null> => null;
  if (pgUp) {
    const name = `aa_bench_${Date.now().toString(36)}`;
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    env.DATABASE_URL = databaseUrl(adminUrl, name);
    const standalone = await createDataSource(
      loadConfig({ DATABASE_URL: env.DATABASE_URL }, { readDotenvFiles: false }),
    );
    await standalone.dataSource.initialize();
    await runPendingMigrations(standalone.dataSource, { embedded: false });
    await standalone.close();
    parts.push(`Postgres real (${name})`);
    transactions = async () => {
      const client = new Client({ connectionString: adminUrl });
      await client.connect();
      try {
        const { rows } = await client.query<{ total: string }>(
          `SELECT xact_commit + xact_rollback AS total FROM pg_stat_database WHERE datname = $1`,
          [name],
        );
        return rows[0] ? Number(rows[0].total) : null;
      } finally {
        await client.end();
      }
    };
    cleanup = async () => {
      const client = new Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
    };
  } else {
    parts.push('Postgres embedded');
  }
  if (redisUp) {
    env.REDIS_URL = redisUrl;
    env.REDIS_KEY_PREFIX = `bench:${Date.now().toString(36)}:`;
    parts.push('Redis real');
  } else {
    parts.push('Redis embedded');
  }
  return { env, description: parts.join(', '), transactions: () => transactions(), cleanup };
}
