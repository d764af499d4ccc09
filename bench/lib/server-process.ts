import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export interface ServerHandle {
  url: string;
  info: Record<string, unknown>;
  child: ChildProcess;
  /** Resident memory of the server process in MiB (from the server's own report). */
  rssMiB(): Promise<number>;
  /** V8 heap in use after a full GC, in MiB (includes not-yet-swept garbage). */
  heapMiB(): Promise<number>;
  /** Live objects only, in MiB, from a heap snapshot: the figure that shows a leak. */
  liveHeapMiB(): Promise<number>;
  /** User+system CPU microseconds the server process has used so far. */
  cpuMicros(): Promise<number>;
  /** Backend round trips the server has made so far (bench/io-counters.ts). */
  ioCounts(): Promise<IoCounts>;
  stop(): Promise<void>;
}

/** Counted at the client libraries of the server process. */
export interface IoCounts {
  pgQueries: number;
  redisCommands: number;
  redisRoundTrips: number;
}

/**
 * Starts `dist/bench/server.js <kind>` in its own process (so the load generator and the server
 * do not share an event loop) and waits for its JSON ready line.
 */
export async function startServer(
  kind: string,
  env: Record<string, string>,
  options: Record<string, unknown> = {},
): Promise<ServerHandle> {
  // BENCH_CPU_PROF_DIR=<dir> writes a V8 CPU profile of every server when it stops (open it in
  // Chrome DevTools); --cpu-prof is not accepted in NODE_OPTIONS, so it goes on the command line.
  const profile = process.env.BENCH_CPU_PROF_DIR
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`]
    : [];
  const child = spawn(
    process.execPath,
    [...profile, join(__dirname, '..', 'server.js'), kind, JSON.stringify(options)],
    {
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines: ((line: Record<string, unknown>) => void)[] = [];
  let buffer = '';
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let index: number;
    while ((index = buffer.indexOf('\n')) >= 0) {
      const text = buffer.slice(0, index);
      buffer = buffer.slice(index + 1);
      if (!text.startsWith('{"bench"')) continue;
      const message = JSON.parse(text) as Record<string, unknown>;
      lines.shift()?.(message);
    }
  });
  const next = () => new Promise<Record<string, unknown>>((resolve) => lines.push(resolve));
  const ready = await Promise.race([
    next(),
    new Promise<never>((_, reject) =>
      child.once('exit', (code) =>
        reject(new Error(`bench server ${kind} exited ${String(code)}`)),
      ),
    ),
  ]);
  const info = ready.info as Record<string, unknown>;
  return {
    url: String(ready.url),
    info,
    child,
    async rssMiB() {
      const response = await fetch(`${String(ready.url)}/__bench/memory`).catch(() => null);
      if (!response?.ok) return Number.NaN;
      const body = (await response.json()) as { rss: number };
      return Math.round((body.rss / 1024 / 1024) * 10) / 10;
    },
    async heapMiB() {
      const response = await fetch(`${String(ready.url)}/__bench/memory`).catch(() => null);
      if (!response?.ok) return Number.NaN;
      const body = (await response.json()) as { heapUsed: number };
      return Math.round((body.heapUsed / 1024 / 1024) * 10) / 10;
    },
    async liveHeapMiB() {
      const response = await fetch(`${String(ready.url)}/__bench/heap-snapshot`);
      const { path } = (await response.json()) as { path: string };
      try {
        return liveBytes(path) / 1024 / 1024;
      } finally {
        rmSync(path, { force: true });
      }
    },
    async ioCounts() {
      const response = await fetch(`${String(ready.url)}/__bench/io`);
      return (await response.json()) as IoCounts;
    },
    async cpuMicros() {
      const response = await fetch(`${String(ready.url)}/__bench/cpu`);
      const body = (await response.json()) as { user: number; system: number };
      return body.user + body.system;
    },
    /** Idempotent: a server stopped early (to free the machine) may be stopped again. */
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Sum of the self sizes of every node in a V8 heap snapshot (what survived the snapshot's GC). */
function liveBytes(path: string): number {
  const snapshot = JSON.parse(readFileSync(path, 'utf8')) as {
    snapshot: { meta: { node_fields: string[] } };
    nodes: number[];
  };
  const fields = snapshot.snapshot.meta.node_fields;
  const sizeIndex = fields.indexOf('self_size');
  let total = 0;
  for (let i = sizeIndex; i < snapshot.nodes.length; i += fields.length) total += snapshot.nodes[i];
  return total;
}
