import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite, types, type Extension } from '@electric-sql/pglite';

// The contrib entry ships a CommonJS build but only ESM type declarations, so TypeScript's
// node16 resolution refuses a static import from this CommonJS project; require is the way in.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { citext } = require('@electric-sql/pglite/contrib/citext') as { citext: Extension };

/**
 * The embedded development database (decision P10). `dataDir` of `memory://` keeps it in memory
 * (tests); otherwise data lives under that directory. Value parsing follows node-postgres so
 * entities behave the same on both: int8/numeric as strings, booleans serialised as pg does.
 */
export function createEmbeddedPostgres(dataDir: string): PGlite {
  const location = dataDir.startsWith('memory://') ? dataDir : resolve(dataDir);
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
