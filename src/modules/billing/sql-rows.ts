import type { EntityManager } from 'typeorm';

/**
 * Rows of a raw query whatever its command: TypeORM's Postgres runner answers UPDATE/DELETE
 * with `[rows, rowCount]` but INSERT/SELECT with the rows alone, which `... RETURNING` callers
 * would otherwise have to remember per statement.
 */
export async function queryRows<T>(
  manager: EntityManager,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const raw: unknown = await manager.query(sql, params);
  if (
    Array.isArray(raw) &&
    raw.length === 2 &&
    Array.isArray(raw[0]) &&
    typeof raw[1] === 'number'
  ) {
    return raw[0] as T[];
  }
  return (raw as T[] | undefined) ?? [];
}
