import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { LoggerFactory } from '../observability/logger.factory';
import { runPendingMigrations } from './migrator';

/**
 * Applies pending migrations during module init when AUTO_RUN_MIGRATIONS is on. The database
 * module is imported before every feature module, so this runs before any of them touch tables.
 */
@Injectable()
export class BootMigrations implements OnModuleInit {
  constructor(
    private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly loggers: LoggerFactory,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!this.config.AUTO_RUN_MIGRATIONS) return;
    const applied = await runPendingMigrations(this.dataSource, {
      embedded: this.config.usesEmbeddedDatabase,
    });
    if (applied.length > 0) this.loggers.get('database').info({ applied }, 'Applied migrations');
  }
}
