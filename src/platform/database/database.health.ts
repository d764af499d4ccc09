import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { migrationStatus } from './migrator';
import { withTimeout } from '../health/with-timeout';

/** `SELECT 1` within DATABASE_HEALTH_TIMEOUT, and whether the schema is at the expected version. */
@Injectable()
export class DatabaseHealth {
  constructor(
    private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async ping(): Promise<void> {
    const timeoutMs = this.config.DATABASE_HEALTH_TIMEOUT * 1000;
    await withTimeout(this.dataSource.query('SELECT 1'), timeoutMs, 'database ping timed out');
  }

  async pendingMigrations(): Promise<string[]> {
    return (await migrationStatus(this.dataSource)).pending;
  }
}
