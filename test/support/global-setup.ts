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
} from './backends';

/**
 * Once per run of the tiers that use backends (integration, e2e): use the real Postgres and Redis when they answer (a throwaway database and
 * a Redis key prefix per run), the embedded ones otherwise; with CI=true an unreachable service
 * is an error, never a silent fallback. Says which it chose.
 */
export default async function globalSetup(): Promise<void> {
  // Integration and e2e each declare this hook; the first one to run prepares the backends.
  if (process.env.TEST_RUN_ID) return;
  const runId = `${Date.now().toString(36)}${process.pid.toString(36)}`;
  process.env.TEST_RUN_ID = runId;
  const adminUrl = process.env.TEST_POSTGRES_URL ?? DEFAULT_TEST_POSTGRES_URL;
  const redisUrl = process.env.TEST_REDIS_URL ?? DEFAULT_TEST_REDIS_URL;
  const [pgUp, redisUp] = await Promise.all([postgresAnswers(adminUrl), redisAnswers(redisUrl)]);
  const ci = process.env.CI === 'true' || process.env.CI === '1';
  if (ci && (!pgUp || !redisUp)) {
    const down = [!pgUp && `Postgres (${adminUrl})`, !redisUp && `Redis (${redisUrl})`].filter(
      Boolean,
    );
    throw new Error(`CI=true requires real services, unreachable: ${down.join(', ')}`);
  }

  const lines: string[] = [];
  if (pgUp) {
    const name = `aa_test_${runId}`;
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    const url = databaseUrl(adminUrl, name);
    process.env.TEST_DATABASE_URL = url;
    process.env.TEST_DATABASE_NAME = name;
    process.env.TEST_POSTGRES_ADMIN_URL = adminUrl;
    const config = loadConfig(
      { DATABASE_URL: url, ENVIRONMENT: 'test' },
      { readDotenvFiles: false },
    );
    const standalone = await createDataSource(config);
    await standalone.dataSource.initialize();
    await runPendingMigrations(standalone.dataSource, { embedded: false });
    await standalone.close();
    lines.push(`Postgres: real (${new URL(adminUrl).host}, throwaway database ${name})`);
  } else {
    delete process.env.TEST_DATABASE_URL;
    lines.push('Postgres: embedded (PGlite in memory; no Postgres answered)');
  }
  if (redisUp) {
    process.env.TEST_REDIS_URL_RESOLVED = redisUrl;
    lines.push(`Redis: real (${new URL(redisUrl).host}, key prefix t:${runId}:)`);
  } else {
    delete process.env.TEST_REDIS_URL_RESOLVED;
    lines.push('Redis: embedded (in-process ioredis-mock; no Redis answered)');
  }
  process.stdout.write(`\nTest backends -> ${lines.join(' | ')}\n`);
}
