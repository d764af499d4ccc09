import autocannon from 'autocannon';

export interface LoadResult {
  name: string;
  /** Server CPU time per request in µs, when the server reports its CPU usage. */
  cpuMicrosPerRequest?: number;
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
}

async function once(options: LoadOptions, duration: number): Promise<autocannon.Result> {
  return autocannon({
    url: options.url,
    method: options.method ?? 'GET',
    headers: options.headers,
    body: options.body,
    connections: options.connections ?? 50,
    duration,
  });
}

/** autocannon from this process against a server in another process (no shared event loop). */
export async function measure(
  name: string,
  options: LoadOptions,
  server?: { cpuMicros(): Promise<number> },
): Promise<LoadResult> {
  if ((options.warmupSeconds ?? 2) > 0) await once(options, options.warmupSeconds ?? 2);
  const cpuBefore = server ? await server.cpuMicros() : 0;
  const result = await once(options, options.durationSeconds ?? 10);
  const cpuAfter = server ? await server.cpuMicros() : 0;
  return {
    name,
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
