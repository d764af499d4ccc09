import { Global, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { EmbeddedDatabase } from './embedded-postgres';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { BootMigrations } from './boot-migrations';
import { buildDataSourceOptions } from './data-source.factory';
import { DatabaseHealth } from './database.health';
import { DatabaseMetrics } from './database.metrics';
import { PreparedStatements } from './prepared-statements';

/** Holds the embedded database (if any) so it is released once the app shuts down. */
@Injectable()
export class EmbeddedDatabaseHolder implements OnApplicationShutdown {
  instance?: EmbeddedDatabase;

  async onApplicationShutdown(): Promise<void> {
    await this.instance?.release().catch(() => undefined);
  }
}

/**
 * TypeORM on the configured Postgres (or embedded PGlite). Entities are registered by feature
 * modules with `TypeOrmModule.forFeature`; pending migrations run at boot when
 * AUTO_RUN_MIGRATIONS is on, under an advisory lock. Never `synchronize`.
 */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      extraProviders: [EmbeddedDatabaseHolder],
      inject: [AppConfig, EmbeddedDatabaseHolder],
      useFactory: async (config: AppConfig, embeddedHolder: EmbeddedDatabaseHolder) => {
        const bundle = await buildDataSourceOptions(config);
        embeddedHolder.instance = bundle.embedded;
        return { ...bundle.options, autoLoadEntities: true, retryAttempts: 5, retryDelay: 1000 };
      },
      dataSourceFactory: async (options?: DataSourceOptions) => {
        if (!options) throw new Error('Database options missing');
        return new DataSource(options).initialize();
      },
    }),
  ],
  providers: [DatabaseHealth, BootMigrations, DatabaseMetrics, PreparedStatements],
  exports: [DatabaseHealth, PreparedStatements],
})
export class DatabaseModule {}
