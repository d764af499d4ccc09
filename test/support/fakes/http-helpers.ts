import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/** Plain JSON value, used instead of `any` for parsed request bodies. */
export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface StartedServer {
  server: Server;
  port: number;
  /** Resolves once the listener is closed and every socket (keep-alive included) is gone. */
  close(): Promise<void>;
}

/**
 * Starts an HTTP server on 127.0.0.1 with an OS-assigned port.
 * Handler errors become a 500 instead of an unhandled rejection, so one broken
 * fake route cannot take down the test process.
 */
export async function startHttpServer(handler: RequestHandler): Promise<StartedServer> {
  const server = createServer((req, res) => {
    Promise.resolve()
      .then(() => handler(req, res))
      .catch((error: unknown) => {
        if (!res.headersSent) {
          sendJson(res, 500, { error: { message: `fake server error: ${describeError(error)}` } });
        } else {
          res.destroy();
        }
      });
  });
  // Benchmarks open hundreds of keep-alive sockets; Node's default timeouts are long enough,
  // but the listen backlog must not be the bottleneck.
  server.maxHeadersCount = 0;
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, backlog: 2048 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    server,
    port,
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Idle keep-alive sockets would otherwise hold close() open until they time out.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Reads the whole body; the cap stops a runaway client from exhausting memory in a benchmark. */
export async function readBody(
  req: IncomingMessage,
  limitBytes = 20 * 1024 * 1024,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > limitBytes) {
      throw new Error(`request body larger than ${limitBytes} bytes`);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** `error` is set when the body is not valid JSON; an empty body parses to `undefined`. */
export interface JsonParseResult {
  value: JsonValue | undefined;
  error: string | undefined;
}

export function parseJson(raw: Buffer): JsonParseResult {
  if (raw.length === 0) {
    return { value: undefined, error: undefined };
  }
  try {
    return { value: JSON.parse(raw.toString('utf8')) as JsonValue, error: undefined };
  } catch (error) {
    return { value: undefined, error: describeError(error) };
  }
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}

/** Lower-cased header map with repeated headers joined, so records are plain serialisable data. */
export function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    out[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** Sleeps unless the signal fires first; resolves to false when aborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise<boolean>((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Bounded in-memory log: a benchmark pushes tens of thousands of requests through a fake,
 * and an unbounded array would turn it into a memory test.
 */
export class RequestLog<T> {
  private items: T[] = [];
  private waiters: Array<{ predicate: (item: T) => boolean; resolve: (item: T) => void }> = [];
  private dropped = 0;

  constructor(private readonly max: number) {}

  push(item: T): void {
    this.items.push(item);
    if (this.items.length > this.max) {
      this.items.splice(0, this.items.length - this.max);
      this.dropped += 1;
    }
    this.notify(item);
  }

  /** Re-checks waiters after a recorded item changed in place (e.g. a stream was aborted). */
  notify(item: T): void {
    if (this.waiters.length === 0) return;
    const remaining: typeof this.waiters = [];
    for (const waiter of this.waiters) {
      if (waiter.predicate(item)) waiter.resolve(item);
      else remaining.push(waiter);
    }
    this.waiters = remaining;
  }

  all(): readonly T[] {
    return this.items;
  }

  get droppedCount(): number {
    return this.dropped;
  }

  clear(): void {
    this.items = [];
    this.dropped = 0;
  }

  waitFor(predicate: (item: T) => boolean, timeoutMs: number, what: string): Promise<T> {
    const existing = this.items.find(predicate);
    if (existing !== undefined) return Promise.resolve(existing);
    return new Promise<T>((resolve, reject) => {
      const waiter = {
        predicate,
        resolve: (item: T): void => {
          clearTimeout(timer);
          resolve(item);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(
          new Error(
            `Timed out after ${timeoutMs}ms waiting for ${what} (${this.items.length} recorded)`,
          ),
        );
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }
}

let idCounter = 0;
const idSalt = Math.random().toString(36).slice(2, 8);

/**
 * Unique, cheap ids: a process-wide counter plus a per-process salt. Random bytes per id
 * would be wasted work at benchmark concurrency and make failures harder to read.
 */
export function makeId(prefix: string, length = 24): string {
  idCounter += 1;
  const body = `${idSalt}${idCounter.toString(36).padStart(8, '0')}`;
  return `${prefix}${body.padEnd(length, '0')}`;
}
