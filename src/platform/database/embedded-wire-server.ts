import { unlinkSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { exclusiveAccessTo, type Mutex } from './pglite-driver';

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const PROTOCOL_3 = 196608;
const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;
/** `.s.PGSQL.<port>` is how Postgres names its socket; psql and pg find it from `-h <dir>`. */
const SOCKET_PORT = 5432;
/** sun_path is 108 bytes on Linux (104 on macOS); longer paths fall back to loopback TCP. */
const MAX_SOCKET_PATH = 100;

/** Where the server listens, in the form a Postgres client takes (`host` may be a directory). */
export interface WireAddress {
  host: string;
  port: number;
}

/**
 * Serves one embedded PGlite over the Postgres wire protocol, so other processes (the CLI,
 * psql) use the server's database instead of opening the directory themselves.
 *
 * Why not `@electric-sql/pglite-socket`: it pins an exact PGlite version and seven extension
 * packages as required peers, and its queue does not know about this process's own connection
 * (pglite-driver.ts), so a wire client's transaction and the app's could interleave. Here a
 * wire client takes the same mutex as the app's pool for as long as it is inside a transaction
 * or an unfinished extended-protocol exchange (until ReadyForQuery says idle), like a pooled
 * connection would. A client holding it idle for longer than `idleHoldMs` is disconnected and
 * its transaction rolled back, so a forgotten psql `BEGIN` cannot stall the API.
 */
export class EmbeddedWireServer {
  private readonly server: Server;
  private readonly connections = new Set<WireConnection>();
  private socketPath?: string;

  constructor(
    private readonly db: PGlite,
    private readonly idleHoldMs = 30_000,
  ) {
    this.server = createServer((socket) => this.accept(socket));
  }

  /** Listens on `<dataDir>/.s.PGSQL.5432`, or on 127.0.0.1 (a free port) if that path is too long. */
  async listen(dataDir: string): Promise<WireAddress> {
    const path = join(dataDir, `.s.PGSQL.${SOCKET_PORT}`);
    if (path.length <= MAX_SOCKET_PATH) {
      // We hold the directory's owner lock, so a socket file left here is a dead owner's.
      removeQuietly(path);
      await this.listenOn(() => this.server.listen(path));
      this.socketPath = path;
      return { host: dataDir, port: SOCKET_PORT };
    }
    await this.listenOn(() => this.server.listen(0, '127.0.0.1'));
    return { host: '127.0.0.1', port: (this.server.address() as AddressInfo).port };
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    await Promise.all([...this.connections].map((connection) => connection.close()));
    await closed;
    if (this.socketPath) removeQuietly(this.socketPath);
  }

  private listenOn(start: () => void): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.once('listening', () => {
        this.server.off('error', reject);
        resolve();
      });
      start();
    });
  }

  private accept(socket: Socket): void {
    const connection = new WireConnection(socket, this.db, exclusiveAccessTo(this.db), {
      idleHoldMs: this.idleHoldMs,
      onClosed: () => this.connections.delete(connection),
    });
    this.connections.add(connection);
  }
}

interface Frame {
  bytes: Uint8Array;
  /** Startup messages and Query/Sync are answered with ReadyForQuery. */
  kind: 'startup' | 'message' | 'terminate';
}

class WireConnection {
  private buffer: Buffer = Buffer.alloc(0);
  private started = false;
  private unlock?: () => void;
  private work: Promise<void> = Promise.resolve();
  private idleTimer?: NodeJS.Timeout;
  private closing?: Promise<void>;

  constructor(
    private readonly socket: Socket,
    private readonly db: PGlite,
    private readonly mutex: Mutex,
    private readonly options: { idleHoldMs: number; onClosed: () => void },
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      this.work = this.work.then(() => this.drain()).catch(() => void this.socket.destroy());
    });
    socket.on('error', () => undefined);
    socket.on('close', () => void this.close());
  }

  /** Rolls back whatever the client left open, gives the connection back and closes the socket. */
  close(): Promise<void> {
    this.closing ??= this.finish();
    return this.closing;
  }

  private async finish(): Promise<void> {
    this.socket.destroy();
    await this.work;
    clearTimeout(this.idleTimer);
    if (this.unlock) {
      try {
        // Ends an unfinished extended-protocol exchange, then any open transaction.
        if (readyStatus(await this.raw(SYNC)) !== 'I') await this.raw(simpleQuery('ROLLBACK'));
      } catch {
        // The database itself is gone (closing); nothing to give back.
      } finally {
        this.release();
      }
    }
    this.options.onClosed();
  }

  private async drain(): Promise<void> {
    for (let frame = this.nextFrame(); frame; frame = this.nextFrame()) {
      if (this.closing) return;
      if (frame.kind === 'terminate') {
        void this.close();
        return;
      }
      clearTimeout(this.idleTimer);
      this.unlock ??= await this.mutex.acquire();
      const response = await this.raw(frame.bytes);
      if (response.length > 0) this.socket.write(response);
      if (readyStatus(response) === 'I') this.release();
      else this.idleTimer = setTimeout(() => void this.close(), this.options.idleHoldMs);
    }
  }

  private raw(message: Uint8Array): Promise<Uint8Array> {
    return this.db.runExclusive(() => this.db.execProtocolRaw(message));
  }

  private release(): void {
    const unlock = this.unlock;
    this.unlock = undefined;
    unlock?.();
  }

  /** Cuts the next complete message off the buffer; answers SSL/GSS requests with 'N'. */
  private nextFrame(): Frame | undefined {
    if (!this.started) return this.nextStartupFrame();
    if (this.buffer.length < 5) return undefined;
    const length = this.buffer.readInt32BE(1);
    if (length < 4 || length > MAX_MESSAGE_BYTES) return this.reject();
    if (this.buffer.length < length + 1) return undefined;
    const bytes = this.take(length + 1);
    return { bytes, kind: bytes[0] === 0x58 /* X */ ? 'terminate' : 'message' };
  }

  private nextStartupFrame(): Frame | undefined {
    if (this.buffer.length < 8) return undefined;
    const length = this.buffer.readInt32BE(0);
    const code = this.buffer.readInt32BE(4);
    if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
      this.take(8);
      this.socket.write('N');
      return this.nextStartupFrame();
    }
    // Cancel requests and other protocol versions are not supported: close the connection.
    if (code !== PROTOCOL_3 || length < 8 || length > 10_000) return this.reject();
    if (this.buffer.length < length) return undefined;
    this.started = true;
    return { bytes: this.take(length), kind: 'startup' };
  }

  private take(length: number): Uint8Array {
    const bytes = new Uint8Array(this.buffer.subarray(0, length));
    this.buffer = this.buffer.subarray(length);
    return bytes;
  }

  private reject(): undefined {
    this.buffer = Buffer.alloc(0);
    void this.close();
    return undefined;
  }
}

const SYNC = new Uint8Array([0x53, 0, 0, 0, 4]);

function simpleQuery(sql: string): Uint8Array {
  const text = Buffer.from(`${sql}\0`, 'utf8');
  const message = Buffer.alloc(5 + text.length);
  message[0] = 0x51; // Q
  message.writeInt32BE(4 + text.length, 1);
  text.copy(message, 5);
  return message;
}

/**
 * The transaction status ('I', 'T' or 'E') of the ReadyForQuery that ends a reply, if it ends
 * with one. Walks the reply message by message, so row data can never be mistaken for it.
 */
export function readyStatus(response: Uint8Array): string | undefined {
  const view = new DataView(response.buffer, response.byteOffset, response.byteLength);
  let last = -1;
  for (let at = 0; at + 5 <= response.length;) {
    const length = view.getInt32(at + 1);
    if (length < 4) return undefined;
    last = at;
    at += 1 + length;
  }
  if (last < 0 || response[last] !== 0x5a /* Z */ || last + 6 !== response.length) return undefined;
  return String.fromCharCode(response[last + 5]);
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // not there
  }
}
