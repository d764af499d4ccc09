import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AfterQueryEvent } from 'typeorm/subscriber/event/QueryEvent';
import { AppConfig } from '../config/app-config';
import { bindNamed, compileNamed, rowsOf, type CompiledStatement } from './sql';

/** A statement run often enough that parsing and planning it each time shows in the profile. */
export interface PreparedStatement extends CompiledStatement {
  /** Unique per statement text: Postgres keeps one plan per name per connection. */
  name: string;
}

/** A `:name` statement (see `named`) to run with `PreparedStatements.rows`. */
export function preparedStatement(name: string, text: string): PreparedStatement {
  return { name, ...compileNamed(text) };
}

/** The part of node-postgres' Pool used here (the embedded driver has none). */
interface PgPool {
  totalCount: number;
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

function pgPoolOf(dataSource: DataSource): PgPool | null {
  const master = (dataSource.driver as { master?: Partial<PgPool> }).master;
  return master && typeof master.totalCount === 'number' && typeof master.query === 'function'
    ? (master as PgPool)
    : null;
}

/**
 * Runs a hot statement as a named prepared statement: each pooled connection parses it once and,
 * after five runs, keeps a generic plan, where an unnamed statement is parsed and planned every
 * time (about 0.25 ms of Postgres CPU for the refresh statements). The embedded database, or
 * DATABASE_PREPARED_STATEMENTS=false (a transaction-pooling PgBouncer older than 1.21, which
 * cannot route a statement to the connection that prepared it), runs it as a plain query.
 * TypeORM's query subscribers still see it, so db_query_duration_seconds counts it.
 */
@Injectable()
export class PreparedStatements {
  private readonly pool: PgPool | null;

  constructor(
    private readonly dataSource: DataSource,
    config: AppConfig,
  ) {
    this.pool = config.DATABASE_PREPARED_STATEMENTS ? pgPoolOf(dataSource) : null;
  }

  async rows<T>(statement: PreparedStatement, params: Record<string, unknown>): Promise<T[]> {
    const values = bindNamed(statement, params);
    if (!this.pool) return rowsOf<T>(this.dataSource.manager, statement.text, values);
    const startedAt = performance.now();
    try {
      const result = await this.pool.query({
        name: statement.name,
        text: statement.text,
        values,
      });
      this.announce(statement, values, true, startedAt);
      return result.rows as T[];
    } catch (error) {
      this.announce(statement, values, false, startedAt);
      throw error;
    }
  }

  private announce(
    statement: PreparedStatement,
    parameters: unknown[],
    success: boolean,
    startedAt: number,
  ): void {
    const event = {
      query: statement.text,
      parameters,
      success,
      executionTime: Math.round(performance.now() - startedAt),
    } as AfterQueryEvent;
    for (const subscriber of this.dataSource.subscribers) {
      // Observers only (metrics); a failing one must not fail the query that succeeded.
      void Promise.resolve(subscriber.afterQuery?.(event)).catch(() => undefined);
    }
  }
}
