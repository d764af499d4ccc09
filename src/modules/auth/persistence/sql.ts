import type { DataSource, EntityManager } from 'typeorm';

/** Something that runs SQL: the data source's manager or a transaction's. */
export type Sql = Pick<EntityManager, 'query'>;

/**
 * Rows of a raw query. TypeORM's Postgres runner returns `[rows, rowCount]` for UPDATE and
 * DELETE (with or without RETURNING) and plain rows otherwise; this hides the difference.
 */
export async function rowsOf<T>(sql: Sql, text: string, params: unknown[] = []): Promise<T[]> {
  const result: unknown = await sql.query(text, params);
  if (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  ) {
    return result[0] as T[];
  }
  return result as T[];
}

/** The first row, or null. */
export async function firstRow<T>(
  sql: Sql,
  text: string,
  params: unknown[] = [],
): Promise<T | null> {
  return (await rowsOf<T>(sql, text, params))[0] ?? null;
}

/** Postgres unique violation (23505), optionally of one constraint. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const err = error as {
    code?: string;
    constraint?: string;
    driverError?: { code?: string; constraint?: string };
  };
  const code = err.code ?? err.driverError?.code;
  const name = err.constraint ?? err.driverError?.constraint;
  return code === '23505' && (!constraint || name === constraint);
}

/** Runs `work` in a transaction on the data source (one connection on PGlite: use `tx` only). */
export function inTransaction<T>(
  dataSource: DataSource,
  work: (tx: EntityManager) => Promise<T>,
): Promise<T> {
  return dataSource.transaction(work);
}
