import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Client } from 'pg';
import {
  EmbeddedWireServer,
  readyStatus,
} from '../../../src/platform/database/embedded-wire-server';
import { createPGliteDriver } from '../../../src/platform/database/pglite-driver';

interface PooledClient {
  query(sql: string): Promise<{ rows: { n: string }[] }>;
}

/** The app's side of the embedded database: its pool of one connection (pglite-driver.ts). */
function appQuery(db: PGlite, sql: string): Promise<{ n: string }[]> {
  const pool = new (createPGliteDriver(db).Pool)() as unknown as {
    connect(cb: (err: Error | null, client: PooledClient, release: () => void) => void): void;
  };
  return new Promise((resolve, reject) => {
    pool.connect((_err, client, release) => {
      client
        .query(sql)
        .then((result) => resolve(result.rows))
        .catch(reject)
        .finally(release);
    });
  });
}

describe('EmbeddedWireServer (the embedded database over the Postgres wire protocol)', () => {
  let dir: string;
  let db: PGlite;
  let server: EmbeddedWireServer;
  let host: string;
  let port: number;

  const connect = async (): Promise<Client> => {
    const client = new Client({ host, port, user: 'postgres', database: 'postgres' });
    client.on('error', () => undefined);
    await client.connect();
    return client;
  };
  const count = async () => (await appQuery(db, 'SELECT count(*)::text AS n FROM items'))[0].n;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aa-wire-'));
    db = new PGlite();
    await db.exec('CREATE TABLE items (id int)');
    server = new EmbeddedWireServer(db, 300);
    ({ host, port } = await server.listen(dir));
  });
  afterAll(async () => {
    await server.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => db.exec('DELETE FROM items'));

  it('serves queries with parameters on the socket in the data directory', async () => {
    expect(host).toBe(dir);
    const client = await connect();
    await client.query('INSERT INTO items VALUES ($1), ($2)', [1, 2]);
    const result = await client.query<{ total: number }>('SELECT sum(id)::int AS total FROM items');
    await client.end();
    expect(result.rows).toEqual([{ total: 3 }]);
    expect(await count()).toBe('2');
  });

  it("never lets the app's queries run inside a wire client's open transaction", async () => {
    const client = await connect();
    await client.query('BEGIN');
    await client.query('INSERT INTO items VALUES (1)');
    // Without the shared lock this would run inside the client's transaction and see its row.
    const seen = count();
    await client.query('ROLLBACK');
    expect(await seen).toBe('0');
    await client.end();
  });

  it('rolls back and frees the connection when a client disappears inside a transaction', async () => {
    const client = await connect();
    await client.query('BEGIN');
    await client.query('INSERT INTO items VALUES (1)');
    const seen = count();
    (
      client as unknown as { connection: { stream: { destroy(): void } } }
    ).connection.stream.destroy();
    expect(await seen).toBe('0');
  });

  it('disconnects a client that holds a transaction idle for longer than the bound', async () => {
    const client = await connect();
    const ended = new Promise<void>((resolve) => client.on('end', () => resolve()));
    await client.query('BEGIN');
    await client.query('INSERT INTO items VALUES (1)');
    expect(await count()).toBe('0');
    await ended;
    await expect(client.query('SELECT 1')).rejects.toThrow();
  });

  it('reads the transaction status only from a ReadyForQuery that ends the reply', () => {
    const ready = (status: string) => [0x5a, 0, 0, 0, 5, status.charCodeAt(0)];
    const complete = [0x43, 0, 0, 0, 5, 0];
    expect(readyStatus(new Uint8Array([...complete, ...ready('I')]))).toBe('I');
    expect(readyStatus(new Uint8Array([...complete, ...ready('T')]))).toBe('T');
    expect(readyStatus(new Uint8Array(complete))).toBeUndefined();
    // A data row whose bytes end like a ReadyForQuery is still a data row.
    const row = [0x44, 0, 0, 0, 10, 0x5a, 0, 0, 0, 5, 0x49];
    expect(readyStatus(new Uint8Array(row))).toBeUndefined();
    expect(readyStatus(new Uint8Array())).toBeUndefined();
  });
});
