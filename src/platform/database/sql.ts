import type { EntityManager } from 'typeorm';

/** Something that runs SQL: the data source, its manager, or a transaction's manager. */
export type Sql = Pick<EntityManager, 'query'>;

/**
 * Rows of a raw query whatever its command. TypeORM's Postgres runner answers UPDATE and DELETE
 * (with or without RETURNING) with `[rows, rowCount]` but INSERT and SELECT with the rows
 * alone, which `... RETURNING` callers would otherwise have to remember per statement.
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
  return (result as T[] | undefined) ?? [];
}

/** The first row, or null. */
export async function firstRow<T>(
  sql: Sql,
  text: string,
  params: unknown[] = [],
): Promise<T | null> {
  return (await rowsOf<T>(sql, text, params))[0] ?? null;
}

/**
 * A Postgres unique violation (SQLSTATE 23505), optionally of one named constraint. pg errors
 * carry the code themselves; TypeORM's QueryFailedError and PGlite keep it on `driverError`.
 */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const err = error as {
    code?: string;
    constraint?: string;
    driverError?: { code?: string; constraint?: string };
  } | null;
  const code = err?.code ?? err?.driverError?.code;
  const name = err?.constraint ?? err?.driverError?.constraint;
  return code === '23505' && (!constraint || name === constraint);
}

/** A `:name` statement compiled once: its positional text and the names in `$n` order. */
export interface CompiledStatement {
  text: string;
  names: string[];
}

/** Compiles `:name` parameters to `$n` (each name bound once however often it appears). */
export function compileNamed(text: string): CompiledStatement {
  const names: string[] = [];
  const positional = text.replace(/(?<![:\w]):([A-Za-z_]\w*)/g, (_match, name: string) => {
    let position = names.indexOf(name) + 1;
    if (position === 0) position = names.push(name);
    return `$${position}`;
  });
  return { text: positional, names };
}

/** The values of a compiled statement, in `$n` order; a name without a value throws. */
export function bindNamed(
  statement: CompiledStatement,
  params: Record<string, unknown>,
): unknown[] {
  return statement.names.map((name) => {
    if (!Object.hasOwn(params, name)) throw new Error(`SQL parameter :${name} has no value`);
    return params[name];
  });
}

/**
 * A statement with named parameters (`:name`, each name bound once however often it appears)
 * as the positional text and values `query` takes. `::type` casts are left alone; a name
 * without a value is a programming error and throws, rather than reaching Postgres as text.
 */
export function named(text: string, params: Record<string, unknown>): [string, unknown[]] {
  const compiled = compileNamed(text);
  return [compiled.text, bindNamed(compiled, params)];
}
