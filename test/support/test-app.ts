import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Logger } from 'pino';
import { Writable } from 'node:stream';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp, type CreateAppOptions } from '../../src/app.factory';
import type { AppConfig } from '../../src/platform/config/app-config';
import { loadConfig } from '../../src/platform/config/load-config';
import { createLogger } from '../../src/platform/observability/logger';
import { RedisService } from '../../src/platform/redis/redis.service';

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  /** `http://127.0.0.1:<port>`: the app really listens (SSE and disconnect tests need a socket). */
  url: string;
  /** supertest bound to the running server. */
  http: ReturnType<typeof request>;
  dataSource: DataSource;
  /** The app's own Redis client (key prefix applied). */
  redis: RedisService;
  /** Every log record the app wrote (parsed JSON lines). */
  logs: Record<string, unknown>[];
  /** The Redis key prefix of this app (share it to make two apps see the same Redis data). */
  redisKeyPrefix: string;
  close(): Promise<void>;
}

export interface StartTestAppOptions {
  /** Env overrides on top of the test defaults (strings, as in a real environment). */
  env?: Record<string, string | undefined>;
  /** Extra modules mounted on the app (test-only routes). */
  extraImports?: CreateAppOptions['extraImports'];
}

/** True when this run uses the real Postgres (global setup created a database for it). */
export function usingRealPostgres(): boolean {
  return Boolean(process.env.TEST_DATABASE_URL);
}

export function usingRealRedis(): boolean {
  return Boolean(process.env.TEST_REDIS_URL_RESOLVED);
}

/** A key prefix unique to one test app (or shared, when passed to several apps). */
export function newRedisKeyPrefix(): string {
  return `t:${process.env.TEST_RUN_ID ?? 'local'}:${randomUUID().slice(0, 8)}:`;
}

/** The env every test app starts from: the run's database and Redis, quiet logs, own key file. */
export function baseTestEnv(keyDir: string): Record<string, string | undefined> {
  return {
    ENVIRONMENT: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'info',
    DATABASE_URL: process.env.TEST_DATABASE_URL,
    // Embedded fallback: one in-memory database per test worker, shared by its apps (like the
    // run's database on a real server), so multi-instance tests see the same rows.
    EMBEDDED_DATABASE_DIR: `memory://test-${process.env.TEST_RUN_ID ?? 'local'}`,
    AUTO_RUN_MIGRATIONS: usingRealPostgres() ? 'false' : 'true',
    REDIS_URL: process.env.TEST_REDIS_URL_RESOLVED,
    REDIS_KEY_PREFIX: newRedisKeyPrefix(),
    AUTH_KEY_STORAGE_PATH: join(keyDir, 'keyset.json'),
    HOST: '127.0.0.1',
    PORT: '0',
  };
}

/** Boots the whole application (same factory as production) and listens on a random port. */
export async function startTestApp(options: StartTestAppOptions = {}): Promise<TestApp> {
  const keyDir = mkdtempSync(join(tmpdir(), 'aa-test-keys-'));
  const env = { ...baseTestEnv(keyDir), ...(options.env ?? {}) };
  const config = loadConfig(env, { readDotenvFiles: false });
  const logs: Record<string, unknown>[] = [];
  const logger: Logger = createLogger({
    level: config.LOG_LEVEL,
    format: 'json',
    destination: new Writable({
      write(chunk: Buffer, _encoding, callback) {
        for (const line of chunk.toString('utf8').split('\n')) {
          if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
        }
        callback();
      },
    }),
  });
  const app = await createApp(config, logger, { extraImports: options.extraImports });
  await app.listen(0, '127.0.0.1');
  const server = app.getHttpServer();
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    app,
    config,
    url,
    http: request(server),
    dataSource: app.get(DataSource),
    redis: app.get(RedisService),
    logs,
    redisKeyPrefix: config.REDIS_KEY_PREFIX,
    async close() {
      server.closeAllConnections();
      await app.close();
      rmSync(keyDir, { recursive: true, force: true });
    },
  };
}
