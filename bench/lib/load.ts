import autocannon from 'autocannon';
import type { IoCounts } from './server-process';

export interface LoadResult {
  name: string;
  /** Server CPU time per request in µs, when the server reports its CPU usage. */
  cpuMicrosPerRequest?: number;
  /** Backend work per request, when the server reports it (see `perRequest`). */
  io?: IoPerRequest;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
  total: number;
}

export interface LoadOptions {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  connections?: number;
  durationSeconds?: number;
  /** Requests sent before measuring, so JIT and caches are warm. */
  warmupSeconds?: number;
  /** Per-request hooks (autocannon `requests`), for requests that depend on earlier answers. */
  requests?: autocannon.Request[];
}

async function once(options: LoadOptions, duration: number): Promise<autocannon.Result> {
  return autocannon({
    url: options.url,
    method: options.method ?? 'GET',
    headers: options.headers,
    body: options.body,
    requests: options.requests,
    connections: options.connections ?? 50,
    duration,
  });
}

/** Postgres transactions, queries and Redis commands/round trips per request. */
export interface IoPerRequest {
  pgTransactions: number | null;
  pgQueries: number;
  redisCommands: number;
  redisRoundTrips: number;
}

/** What a measured server reports about itself (bench/lib/server-process.ts). */
export interface MeasuredServer {
  cpuMicros(): Promise<number>;
  ioCounts?(): Promise<IoCounts>;
}

let transactionCounter: (() => Promise<number | null>) | undefined;

/** Where committed + rolled back transactions of the bench database are read (run.ts sets it). */
export function countTransactionsWith(counter: () => Promise<number | null>): void {
  transactionCounter = counter;
}

/** A snapshot of the backend counters, and the per-request figures between two of them. */
export async function ioSnapshot(server?: MeasuredServer): Promise<IoSnapshot> {
  return {
    counts: (await server?.ioCounts?.()) ?? null,
    transactions: transactionCounter ? await transactionCounter() : null,
  };
}

export interface IoSnapshot {
  counts: IoCounts | null;
  transactions: number | null;
}

/**
 * Per request between two snapshots. Postgres reports a backend's transactions within about a
 * second of it going idle, so `after` must be taken a little after the load stopped (`settle`).
 */
export function perRequest(
  before: IoSnapshot,
  after: IoSnapshot,
  requests: number,
): IoPerRequest | undefined {
  if (!before.counts || !after.counts || requests <= 0) return undefined;
  const per = (delta: number) => Math.round((delta / requests) * 100) / 100;
  return {
    pgTransactions:
      before.transactions === null || after.transactions === null
        ? null
        : per(after.transactions - before.transactions),
    pgQueries: per(after.counts.pgQueries - before.counts.pgQueries),
    redisCommands: per(after.counts.redisCommands - before.counts.redisCommands),
    redisRoundTrips: per(after.counts.redisRoundTrips - before.counts.redisRoundTrips),
  };
}

/** Long enough for Postgres to publish the transactions of backends that just went idle. */
export const STATS_SETTLE_MS = 1500;

/** autocannon from this process against a server in another process (no shared event loop). */
export async function measure(
  name: string,
  options: LoadOptions,
  server?: MeasuredServer,
): Promise<LoadResult> {
  if ((options.warmupSeconds ?? 2) > 0) await once(options, options.warmupSeconds ?? 2);
  await new Promise((resolve) => setTimeout(resolve, STATS_SETTLE_MS));
  const ioBefore = await ioSnapshot(server);
  const cpuBefore = server ? await server.cpuMicros() : 0;
  const result = await once(options, options.durationSeconds ?? 10);
  const cpuAfter = server ? await server.cpuMicros() : 0;
  await new Promise((resolve) => setTimeout(resolve, STATS_SETTLE_MS));
  const ioAfter = await ioSnapshot(server);
  return {
    name,
    io: perRequest(ioBefore, ioAfter, result.requests.total),
    cpuMicrosPerRequest:
      server && result.requests.total > 0
        ? Math.round((cpuAfter - cpuBefore) / result.requests.total)
        : undefined,
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    total: result.requests.total,
  };
}

export function formatTable(rows: Record<string, string | number>[]): string {
  if (rows.length === 0) return '';
  const headers = Object.keys(rows[0]);
  const widths = headers.map((h) => Math.max(h.length, ...rows.map((r) => String(r[h]).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  return [
    line(headers),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map((r) => line(headers.map((h) => String(r[h])))),
  ].join('\n');
}
