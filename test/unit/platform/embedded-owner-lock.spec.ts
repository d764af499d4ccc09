import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  OWNER_LOCK_FILE,
  OwnerLock,
  type LockAttempt,
} from '../../../src/platform/database/embedded-owner-lock';

function acquired(attempt: LockAttempt): OwnerLock {
  if (!('acquired' in attempt)) throw new Error(`held by ${JSON.stringify(attempt.heldBy)}`);
  return attempt.acquired;
}

/** A pid that surely runs no process now: one that has just exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

describe('OwnerLock (one owning process per embedded data directory)', () => {
  let dir: string;
  const lockPath = () => join(dir, OWNER_LOCK_FILE);
  const onDisk = () => JSON.parse(readFileSync(lockPath(), 'utf8')) as Record<string, unknown>;

  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'aa-lock-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the owner, advertises its address, and removes the file on release', () => {
    const lock = acquired(OwnerLock.tryAcquire(dir, 'server'));
    expect(onDisk()).toMatchObject({ pid: process.pid, role: 'server' });
    lock.advertise('/some/dir', 5432);
    expect(onDisk()).toMatchObject({ pid: process.pid, host: '/some/dir', port: 5432 });
    lock.withdraw();
    expect(onDisk().host).toBeUndefined();
    lock.release();
    expect(existsSync(lockPath())).toBe(false);
  });

  it('refuses a second claim from this process instead of taking its own lock as stale', () => {
    const lock = acquired(OwnerLock.tryAcquire(dir, 'server'));
    expect(OwnerLock.tryAcquire(dir, 'cli')).toEqual({
      heldBy: expect.objectContaining({ pid: process.pid, role: 'server' }) as unknown,
    });
    lock.release();
  });

  it('reports a live owner of another process', () => {
    // The parent of this test worker runs for as long as the test does.
    writeFileSync(lockPath(), JSON.stringify({ pid: process.ppid, role: 'server', port: 1 }));
    expect(OwnerLock.tryAcquire(dir, 'cli')).toEqual({
      heldBy: { pid: process.ppid, role: 'server', port: 1 },
    });
    expect(onDisk().pid).toBe(process.ppid);
  });

  it('recovers the lock of a dead owner, a recycled pid and an unreadable file', () => {
    const stale = [
      { pid: deadPid(), role: 'server' },
      // Alive, but not the process that wrote the lock: its start time differs.
      { pid: process.ppid, role: 'server', started: '1' },
      'not json',
    ];
    for (const content of stale) {
      writeFileSync(lockPath(), typeof content === 'string' ? content : JSON.stringify(content));
      const lock = acquired(OwnerLock.tryAcquire(dir, 'cli'));
      expect(onDisk()).toMatchObject({ pid: process.pid, role: 'cli' });
      lock.release();
    }
  });

  it('never removes a lock that another process has taken over', () => {
    const lock = acquired(OwnerLock.tryAcquire(dir, 'cli'));
    writeFileSync(lockPath(), JSON.stringify({ pid: process.ppid, role: 'server' }));
    lock.release();
    expect(onDisk().pid).toBe(process.ppid);
  });
});
