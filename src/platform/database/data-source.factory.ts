import type { PGlite } from '@electric-sql/pglite';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { ALL_MIGRATIONS } from '../../../migrations';
import type { AppConfig } from '../config/app-config';
import { normalizeDatabaseUrl } from './database-url';
import { openEmbeddedPostgres, type EmbeddedDatabase } from './embedded-postgres';
import { createPGliteDriver } from './pglite-driver';

export const MIGRATIONS_TABLE = 'typeorm_migrations';

export interface DataSourceBundle {
  options: DataSourceOptions;
  /** Present when the embedded database is used; released by its owner on shutdown. */
  embedded?: EmbeddedDatabase;
}

/**
 * TypeORM options for the configured Postgres, or the embedded one when DATABASE_URL is unset:
 * this process's own PGlite, or the wire socket of the server that owns the data directory.
 */
export async function buildDataSourceOptions(
  config: AppConfig,
  extra: Partial<DataSourceOptions> = {},
): Promise<DataSourceBundle> {
  const common = {
    type: 'postgres' as const,
    migrations: ALL_MIGRATIONS,
    migrationsTableName: MIGRATIONS_TABLE,
    synchronize: false,
    logging: config.DATABASE_ECHO,
  };
  if (!config.DATABASE_URL) {
    const embedded = await openEmbeddedPostgres(config.EMBEDDED_DATABASE_DIR);
    if (embedded.remote) {
      return {
        embedded,
        options: {
          ...common,
          host: embedded.remote.host,
          port: embedded.remote.port,
          username: 'postgres',
          database: 'postgres',
          applicationName: config.APP_NAME,
          installExtensions: false,
          // The owner runs one connection; a second one here would only queue behind it.
          extra: { max: 1 },
          ...extra,
        } as DataSourceOptions,
      };
    }
    return {
      embedded,
      options: {
        ...common,
        // TypeORM would otherwise CREATE EXTENSION "uuid-ossp", which PGlite lacks.
        installExtensions: false,
        driver: createPGliteDriver(embedded.db),
        ...extra,
      } as DataSourceOptions,
    };
  }
  return {
    options: {
      ...common,
      url: normalizeDatabaseUrl(config.DATABASE_URL),
      applicationName: config.APP_NAME,
      installExtensions: false,
      extra: {
        max: config.DATABASE_POOL_SIZE + config.DATABASE_MAX_OVERFLOW,
        idleTimeoutMillis: 30_000,
        maxLifetimeSeconds: config.DATABASE_POOL_RECYCLE,
        connectionTimeoutMillis: Math.round(config.DATABASE_POOL_TIMEOUT * 1000),
        keepAlive: true,
        ...(config.DATABASE_STATEMENT_TIMEOUT_MS > 0
          ? { statement_timeout: config.DATABASE_STATEMENT_TIMEOUT_MS }
          : {}),
      },
      ...extra,
    } as DataSourceOptions,
  };
}

export interface StandaloneDataSource {
  dataSource: DataSource;
  embedded?: PGlite;
  /** Destroys the DataSource and releases the embedded database, if any. */
  close(): Promise<void>;
}

/** A standalone DataSource (CLI, migrations job, test setup) with the same options as the app. */
export async function createDataSource(
  config: AppConfig,
  extra: Partial<DataSourceOptions> = {},
): Promise<StandaloneDataSource> {
  const bundle = await buildDataSourceOptions(config, extra);
  const dataSource = new DataSource(bundle.options);
  return {
    dataSource,
    embedded: bundle.embedded?.db,
    async close() {
      if (dataSource.isInitialized) await dataSource.destroy();
      await bundle.embedded?.release();
    },
  };
}
