import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource, type EntitySubscriberInterface } from 'typeorm';
import type { AfterQueryEvent } from 'typeorm/subscriber/event/QueryEvent';
import { MetricsService } from '../observability/metrics.service';
import { MIGRATIONS_TABLE } from './data-source.factory';

/** Sub-millisecond to seconds: most queries finish in a millisecond or two. */
const QUERY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

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

/** The timestamp suffix of the newest migration class loaded (`AuthTenantInvitations1764100600000`). */
function newestShippedMigration(dataSource: DataSource): number {
  let newest = 0;
  for (const migration of dataSource.migrations) {
    const name = migration.name ?? migration.constructor.name;
    const stamp = Number(/(\d{13})$/.exec(name)?.[1] ?? 0);
    if (stamp > newest) newest = stamp;
  }
  return newest;
}

/**
 * Database metrics. Gauges read on every scrape, so they cost nothing between scrapes:
 * `db_pool_connections{state=in_use|idle|waiting}` (a pool whose `waiting` stays above zero is
 * too small for the load), `db_schema_version`, the timestamp of the newest migration applied to
 * the database, and `db_schema_expected_version`, the newest one this build ships: a replica whose
 * expected version stays above the database's runs code whose migrations never ran.
 */
@Injectable()
export class DatabaseMetrics implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    this.observeQueries();
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
    const expected = newestShippedMigration(dataSource);
    this.metrics
      .gauge({
        name: 'db_schema_expected_version',
        help: 'Timestamp of the newest migration this build ships',
      })
      .set(expected);
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

  /**
   * `db_query_duration_seconds` for every query TypeORM runs (its after-query event carries the
   * time, in milliseconds) and `db_query_errors_total` for failed ones. A subscriber added at
   * runtime: one function call per query, no wrapping of the driver.
   */
  private observeQueries(): void {
    const duration = this.metrics.histogram({
      name: 'db_query_duration_seconds',
      help: 'Duration of successful database queries (millisecond resolution)',
      buckets: QUERY_BUCKETS,
    });
    const errors = this.metrics.counter({
      name: 'db_query_errors_total',
      help: 'Database queries that failed',
    });
    const subscriber: EntitySubscriberInterface = {
      afterQuery(event: AfterQueryEvent): void {
        if (event.success) duration.observe((event.executionTime ?? 0) / 1000);
        else errors.inc();
      },
    };
    this.dataSource.subscribers.push(subscriber);
  }
}
