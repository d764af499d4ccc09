import { Client } from 'pg';
import Redis from 'ioredis';

/** Drops the run's throwaway database and deletes the run's Redis keys. */
export default async function globalTeardown(): Promise<void> {
  // Declared by integration and e2e; the first call cleans up, the second finds nothing to do.
  if (!process.env.TEST_RUN_ID) return;
  const name = process.env.TEST_DATABASE_NAME;
  const adminUrl = process.env.TEST_POSTGRES_ADMIN_URL;
  if (name && adminUrl && process.env.TEST_KEEP_DATABASE !== 'true') {
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
  const redisUrl = process.env.TEST_REDIS_URL_RESOLVED;
  const runId = process.env.TEST_RUN_ID;
  if (redisUrl && runId) {
    const redis = new Redis(redisUrl);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `t:${runId}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
    await redis.quit();
  }
  delete process.env.TEST_DATABASE_NAME;
  delete process.env.TEST_RUN_ID;
}
