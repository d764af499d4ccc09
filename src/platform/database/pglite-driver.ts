import { EventEmitter } from 'node:events';
import type { PGlite, Results } from '@electric-sql/pglite';

/**
 * A node-postgres-shaped driver over one PGlite instance, for TypeORM's `driver` option.
 *
 * Why not `typeorm-pglite`: it keeps one process-global PGlite (two apps in one test process
 * would share and then close each other's database) and hands every caller the same connection,
 * so concurrent transactions interleave (one request's COMMIT would commit another's work).
 * Here each `connect()` waits for exclusive use of the single embedded connection until
 * released, like a pool of size one, and results are mapped to pg's shape (`rowCount`,
 * `command`) so TypeORM reports affected rows correctly.
 */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  acquire(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => (release = resolve));
    const ready = this.tail.then(() => release);
    this.tail = this.tail.then(() => next);
    return ready;
  }
}

interface PgShapedResult {
  rows: unknown[];
  rowCount: number;
  command: string;
  fields: { name: string; dataTypeID: number }[];
}

function commandOf(sql: string): string {
  return /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? '';
}

function toPgShape(sql: string, result: Results): PgShapedResult {
  return {
    rows: result.rows,
    rowCount: result.affectedRows ?? result.rows.length,
    command: commandOf(sql),
    fields: result.fields,
  };
}

class PGliteClient extends EventEmitter {
  constructor(private readonly db: PGlite) {
    super();
  }

  async query(sql: string, params?: unknown[]): Promise<PgShapedResult> {
    if (params && params.length > 0) return toPgShape(sql, await this.db.query(sql, params));
    // Parameterless text may hold several statements (migrations): run them all, report the last.
    const results = await this.db.exec(sql);
    return toPgShape(sql, results[results.length - 1] ?? { rows: [], fields: [] });
  }
}

/**
 * One lock per database: several data sources on a shared instance, and the clients of the
 * embedded wire server (embedded-wire-server.ts), take turns on its single connection.
 */
const locks = new WeakMap<PGlite, Mutex>();

export function exclusiveAccessTo(db: PGlite): Mutex {
  let mutex = locks.get(db);
  if (!mutex) {
    mutex = new Mutex();
    locks.set(db, mutex);
  }
  return mutex;
}

export function createPGliteDriver(db: PGlite): { Pool: new () => EventEmitter } {
  const lock = exclusiveAccessTo(db);
  class PGlitePool extends EventEmitter {
    connect(
      callback: (
        err: Error | null,
        client: PGliteClient | null,
        release: (err?: unknown) => void,
      ) => void,
    ): void {
      void lock.acquire().then((unlock) => {
        const client = new PGliteClient(db);
        let released = false;
        callback(null, client, () => {
          if (released) return;
          released = true;
          unlock();
        });
      });
    }

    /** The database itself is owned (and closed) by whoever created it. */
    end(callback: (err: Error | null) => void): void {
      callback(null);
    }
  }
  return { Pool: PGlitePool };
}
