import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { MetricsService } from '../observability/metrics.service';
import { MIGRATIONS_TABLE } from './data-source.factory';

/** What node-postgres' Pool reports about itself (the embedded driver has no pool). */
interface PoolCounts {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

function poolOf(dataSource: DataSource): PoolCounts | null {
  const master = (dataSource.driver as { master?: Partial<PoolCounts> }).master;
  return master && typeof master.totalCount === 'number' ? (master as PoolCounts) : null;
}

/**
 * Database gauges read on every scrape, so they cost nothing between scrapes:
 * `db_pool_connections{state=in_use|idle|waiting}` (a pool whose `waiting` stays above zero is
 * too small for the load) and `db_schema_version`, the timestamp of the newest applied migration
 * (a replica on an older schema than its peers shows here during a rollout).
 */
@Injectable()
export class DatabaseMetrics implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    const dataSource = this.dataSource;
    this.metrics.gauge({
      name: 'db_pool_connections',
      help: 'Database pool connections by state (waiting: requests queued for a connection)',
      labelNames: ['state'],
      collect() {
        const pool = poolOf(dataSource);
        if (!pool) return;
        this.set({ state: 'in_use' }, pool.totalCount - pool.idleCount);
        this.set({ state: 'idle' }, pool.idleCount);
        this.set({ state: 'waiting' }, pool.waitingCount);
      },
    });
    this.metrics.gauge({
      name: 'db_schema_version',
      help: 'Timestamp of the newest applied migration',
      async collect() {
        try {
          const rows = await dataSource.query<{ version: string | null }[]>(
            `SELECT max("timestamp")::text AS version FROM ${MIGRATIONS_TABLE}`,
          );
          const version = Number(rows[0]?.version ?? 0);
          if (Number.isFinite(version)) this.set(version);
        } catch {
          // A scrape must answer while the database is down; the gauge keeps its last value.
        }
      },
    });
  }
}
