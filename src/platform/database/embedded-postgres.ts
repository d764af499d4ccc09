import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite, types, type Extension } from '@electric-sql/pglite';

// The contrib entry ships a CommonJS build but only ESM type declarations, so TypeScript's
// node16 resolution refuses a static import from this CommonJS project; require is the way in.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { citext } = require('@electric-sql/pglite/contrib/citext') as { citext: Extension };

/** A handle on a (possibly shared) embedded database; release it instead of closing it. */
export interface EmbeddedDatabase {
  db: PGlite;
  release(): Promise<void>;
}

const open = new Map<string, { db: PGlite; refs: number }>();

/**
 * The embedded development database (decision P10). Data lives under `dataDir`, or in memory
 * for `memory://` (private to the caller) and `memory://<name>` (shared by name). Callers in one
 * process that name the same location share one instance, which is closed with its last
 * holder: PGlite cannot open a directory twice, and two app instances in one process (tests)
 * must see the same data, as they would on a real server.
 */
export function openEmbeddedPostgres(dataDir: string): EmbeddedDatabase {
  if (dataDir === 'memory://') {
    const db = createEmbeddedPostgres(dataDir);
    return { db, release: () => db.close() };
  }
  const location = dataDir.startsWith('memory://') ? dataDir : resolve(dataDir);
  let entry = open.get(location);
  if (!entry) {
    entry = { db: createEmbeddedPostgres(location), refs: 0 };
    open.set(location, entry);
  }
  entry.refs += 1;
  const held = entry;
  let released = false;
  return {
    db: held.db,
    async release() {
      if (released) return;
      released = true;
      held.refs -= 1;
      if (held.refs > 0) return;
      open.delete(location);
      await held.db.close();
    },
  };
}

/** Value parsing follows node-postgres: int8/numeric as strings, booleans serialised as pg does. */
function createEmbeddedPostgres(location: string): PGlite {
  if (!location.startsWith('memory://')) mkdirSync(location, { recursive: true });
  return new PGlite(location, {
    extensions: { citext },
    parsers: {
      [types.INT8]: (value: string) => value,
      [types.NUMERIC]: (value: string) => value,
    },
    serializers: {
      [types.BOOL]: (value: unknown) =>
        value === true || value === 'true' || value === 1 ? 't' : 'f',
    },
  });
}
