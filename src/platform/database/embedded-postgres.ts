import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite, types, type Extension } from '@electric-sql/pglite';
import { OwnerLock, type EmbeddedOwner, type EmbeddedRole } from './embedded-owner-lock';
import { EmbeddedWireServer, type WireAddress } from './embedded-wire-server';

// The contrib entry ships a CommonJS build but only ESM type declarations, so TypeScript's
// node16 resolution refuses a static import from this CommonJS project; require is the way in.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { citext } = require('@electric-sql/pglite/contrib/citext') as { citext: Extension };

/** How long a process waits for another owner to start serving, or to finish (a CLI command). */
const OWNER_WAIT_MS = 20_000;

/**
 * A handle on the embedded database: this process's own PGlite (`db`), or, when another
 * process owns the data directory and serves it, that server's wire address. Release it
 * instead of closing it.
 */
export type EmbeddedDatabase =
  | { db: PGlite; remote?: undefined; release(): Promise<void> }
  | { db?: undefined; remote: WireAddress; release(): Promise<void> };

/** One line for the operator: the directory belongs to another live process. */
export class EmbeddedDatabaseInUseError extends Error {
  constructor(location: string, owner: EmbeddedOwner) {
    const who = owner.role === 'server' ? 'a running server' : 'a CLI command';
    super(
      `the embedded database ${location} is in use by ${who} (pid ${owner.pid}); stop it, ` +
        'or give this process its own EMBEDDED_DATABASE_DIR (or a DATABASE_URL)',
    );
  }
}

interface OwnedEntry {
  db: PGlite;
  refs: number;
  lock?: OwnerLock;
  wire?: Promise<EmbeddedWireServer | undefined>;
}

const open = new Map<string, OwnedEntry>();
/** Directories this process has claimed as their server (before the app opens them). */
const serverClaims = new Map<string, OwnerLock>();

/**
 * Makes this process the server of an embedded data directory: it will own the directory and
 * serve it over the wire protocol for the CLI and psql. Throws EmbeddedDatabaseInUseError if
 * another server owns it (a CLI command holding it is waited for).
 */
export async function claimEmbeddedDirectory(dataDir: string): Promise<void> {
  if (dataDir.startsWith('memory://')) return;
  const location = resolve(dataDir);
  if (serverClaims.has(location) || open.has(location)) return;
  mkdirSync(location, { recursive: true });
  const lock = await acquireOrWait(location, 'server');
  if ('heldBy' in lock) throw new EmbeddedDatabaseInUseError(location, lock.heldBy);
  serverClaims.set(location, lock.acquired);
}

/**
 * The embedded development database (decision P10). Data lives under `dataDir`, or in memory
 * for `memory://` (private to the caller) and `memory://<name>` (shared by name). Callers in one
 * process that name the same location share one instance, closed with its last holder.
 *
 * A directory has exactly one owning process, enforced with an owner lock file
 * (embedded-owner-lock.ts). The server owns it and serves it on `<dir>/.s.PGSQL.5432`; any other
 * process (the CLI) connects through that socket while the server runs, and owns the directory
 * itself only when no one else does. See docs/embedded-database.md.
 */
export async function openEmbeddedPostgres(dataDir: string): Promise<EmbeddedDatabase> {
  if (dataDir === 'memory://') {
    const db = createEmbeddedPostgres(dataDir);
    return { db, release: () => db.close() };
  }
  if (dataDir.startsWith('memory://'))
    return share(dataDir, () => ({ db: createEmbeddedPostgres(dataDir), refs: 0 }));
  const location = resolve(dataDir);
  const existing = open.get(location);
  if (existing) return share(location, () => existing);
  const claimed = serverClaims.get(location);
  if (claimed) return share(location, () => serve(location, claimed));
  mkdirSync(location, { recursive: true });
  const attempt = await acquireOrWait(location, 'cli');
  if ('acquired' in attempt) {
    const lock = attempt.acquired;
    return share(location, () => ({ db: createEmbeddedPostgres(location), refs: 0, lock }));
  }
  const { host, port } = attempt.heldBy;
  if (host === undefined || port === undefined) {
    throw new EmbeddedDatabaseInUseError(location, attempt.heldBy);
  }
  return { remote: { host, port }, release: () => Promise.resolve() };
}

/** The server's own instance, served on the wire once PGlite is up; the lock then says where. */
function serve(location: string, lock: OwnerLock): OwnedEntry {
  serverClaims.delete(location);
  const db = createEmbeddedPostgres(location);
  const wire = db.waitReady.then(async () => {
    const server = new EmbeddedWireServer(db);
    lock.advertise(...addressOf(await server.listen(location)));
    return server;
  });
  // A failed listen leaves the API working; other processes then find no address and say so.
  return { db, refs: 0, lock, wire: wire.catch(() => undefined) };
}

/** Where this process serves an embedded directory it owns (once listening), if it does. */
export async function embeddedWireAddress(dataDir: string): Promise<WireAddress | undefined> {
  const entry = open.get(resolve(dataDir));
  const wire = await entry?.wire;
  const owner = wire ? entry?.lock?.current : undefined;
  return owner?.host !== undefined && owner.port !== undefined
    ? { host: owner.host, port: owner.port }
    : undefined;
}

function addressOf(address: WireAddress): [string, number] {
  return [address.host, address.port];
}

function share(location: string, create: () => OwnedEntry): EmbeddedDatabase {
  let entry = open.get(location);
  if (!entry) {
    entry = create();
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
      await closeEntry(held);
    },
  };
}

async function closeEntry(entry: OwnedEntry): Promise<void> {
  const wire = await entry.wire;
  entry.lock?.withdraw();
  await wire?.close();
  try {
    await entry.db.close();
  } finally {
    entry.lock?.release();
  }
}

/**
 * Takes the owner lock, or returns the owner that holds it. A holder that is still starting
 * (a server not yet serving) or only passing through (a CLI command) is waited for, up to
 * OWNER_WAIT_MS; a serving server is returned at once.
 */
async function acquireOrWait(
  location: string,
  role: EmbeddedRole,
): Promise<{ acquired: OwnerLock } | { heldBy: EmbeddedOwner }> {
  const deadline = Date.now() + OWNER_WAIT_MS;
  for (;;) {
    const attempt = OwnerLock.tryAcquire(location, role);
    if ('acquired' in attempt) return attempt;
    const owner = attempt.heldBy;
    const serving = owner.host !== undefined;
    const settled = role === 'server' ? owner.role === 'server' : serving;
    if (settled || Date.now() > deadline) return attempt;
    await new Promise((done) => setTimeout(done, 100));
  }
}

/** Value parsing follows node-postgres: int8/numeric as strings, booleans serialised as pg does. */
function createEmbeddedPostgres(location: string): PGlite {
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
