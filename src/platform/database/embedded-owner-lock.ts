import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The file inside an embedded data directory that names the one process owning it. */
export const OWNER_LOCK_FILE = 'owner.lock';

export type EmbeddedRole = 'server' | 'cli';

/** What the lock file holds: who owns the directory and, for a server, where it serves it. */
export interface EmbeddedOwner {
  pid: number;
  role: EmbeddedRole;
  /** Kernel start time of the owner (Linux), so a recycled pid is not mistaken for the owner. */
  started?: string;
  /** Where the owner serves the Postgres wire protocol: a socket directory or 127.0.0.1. */
  host?: string;
  port?: number;
}

export type LockAttempt = { acquired: OwnerLock } | { heldBy: EmbeddedOwner };

/** Lock files this process holds: a second claim from here is refused, not taken as stale. */
const heldHere = new Map<string, OwnerLock>();

/**
 * An exclusive, cross-process claim on an embedded data directory (issue: two processes opening
 * one PGlite directory each write their own view of it and lose data). The lock file is created
 * atomically (`link` of a fully written temp file fails if the lock exists), and a lock whose
 * owner is gone (kill -9, crash, container restart re-using pid 1) is recovered on the next
 * attempt: the owner is alive only if its pid runs, is not us, and has the recorded start time.
 */
export class OwnerLock {
  private released = false;

  private constructor(
    readonly path: string,
    private owner: EmbeddedOwner,
  ) {
    process.once('exit', this.releaseOnExit);
  }

  static tryAcquire(dataDir: string, role: EmbeddedRole): LockAttempt {
    const path = join(dataDir, OWNER_LOCK_FILE);
    const mine = heldHere.get(path);
    if (mine) return { heldBy: mine.current };
    const owner: EmbeddedOwner = { pid: process.pid, role, started: startTimeOf(process.pid) };
    for (let attempt = 0; attempt < 5; attempt += 1) {
      if (linkNew(path, owner)) {
        const lock = new OwnerLock(path, owner);
        heldHere.set(path, lock);
        return { acquired: lock };
      }
      const current = readOwner(path);
      if (current === 'missing') continue;
      if (current !== 'unreadable' && isAlive(current)) return { heldBy: current };
      breakStale(path, current);
    }
    throw new Error(`could not take the embedded database lock ${path}`);
  }

  /** The owner as recorded, e.g. after `advertise`. */
  get current(): EmbeddedOwner {
    return { ...this.owner };
  }

  /** Records where this owner serves the wire protocol, for other processes to connect. */
  advertise(host: string, port: number): void {
    this.owner = { ...this.owner, host, port };
    const temp = tempPath(this.path);
    writeFileSync(temp, JSON.stringify(this.owner));
    renameSync(temp, this.path);
  }

  /** Stops advertising a wire address (the server stopped serving but still owns the lock). */
  withdraw(): void {
    if (this.released || this.owner.host === undefined) return;
    this.owner = { pid: this.owner.pid, role: this.owner.role, started: this.owner.started };
    const temp = tempPath(this.path);
    writeFileSync(temp, JSON.stringify(this.owner));
    renameSync(temp, this.path);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    heldHere.delete(this.path);
    process.removeListener('exit', this.releaseOnExit);
    const current = readOwner(this.path);
    if (typeof current === 'object' && current.pid === this.owner.pid) removeQuietly(this.path);
  }

  private readonly releaseOnExit = (): void => this.release();
}

function tempPath(path: string): string {
  return `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
}

/** Creates the lock with its full content in one step; false if a lock already exists. */
function linkNew(path: string, owner: EmbeddedOwner): boolean {
  const temp = tempPath(path);
  writeFileSync(temp, JSON.stringify(owner));
  try {
    linkSync(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    removeQuietly(temp);
  }
}

function readOwner(path: string): EmbeddedOwner | 'missing' | 'unreadable' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as Partial<EmbeddedOwner>;
    if (typeof parsed.pid !== 'number' || (parsed.role !== 'server' && parsed.role !== 'cli')) {
      return 'unreadable';
    }
    return parsed as EmbeddedOwner;
  } catch {
    return 'unreadable';
  }
}

export function isAlive(owner: EmbeddedOwner): boolean {
  // Our own pid in a lock we do not hold is a previous life of this pid (container restart).
  if (owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const started = startTimeOf(owner.pid);
  return owner.started === undefined || started === undefined || started === owner.started;
}

/**
 * Moves a stale lock aside. If another process replaced it in the meantime with a live lock
 * of its own, that lock is put back (link fails only if yet another lock appeared, which is
 * then the one that counts).
 */
function breakStale(path: string, seen: EmbeddedOwner | 'unreadable'): void {
  const aside = `${path}.stale.${randomBytes(4).toString('hex')}`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const moved = readOwner(aside);
  const same = JSON.stringify(moved) === JSON.stringify(seen);
  if (!same && typeof moved === 'object' && isAlive(moved)) {
    try {
      linkSync(aside, path);
    } catch {
      // A newer lock exists; it wins.
    }
  }
  removeQuietly(aside);
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks); undefined off Linux. */
function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
