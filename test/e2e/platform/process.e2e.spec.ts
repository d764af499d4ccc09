import { mkdtempSync, realpathSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ensureBuilt,
  freePort,
  MAIN_JS,
  startProcess,
  waitForHttp,
} from '../../support/compiled-app';

/** The compiled entry point, as `npm start` runs it (two-command start, decisions P6/P10). */
describe('the compiled server process', () => {
  beforeAll(() => ensureBuilt(), 120_000);

  it('serves readiness on embedded defaults with nothing configured, then drains and exits 0 on SIGTERM', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'aa-start-'));
    const port = await freePort();
    const server = startProcess(
      MAIN_JS,
      { PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' },
      cwd,
    );
    try {
      const ready = await waitForHttp(`http://127.0.0.1:${port}/health/ready`, 60_000);
      expect(await ready.json()).toMatchObject({ status: 'ready' });
      // The banner follows listening (and the embedded wire server) by a moment.
      for (let i = 0; i < 50 && !server.stdout().includes('Listening on'); i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const stdout = server.stdout();
      expect(stdout).toMatch(
        /Running on embedded development defaults: Postgres \(embedded PGlite, data in var\/pgdata\), Redis \(in-process ioredis-mock\), model/,
      );
      expect(stdout).toContain('Provisioned a development signing keyset');
      // Quiet startup: a handful of JSON lines (piped, so not pretty) ending in one banner.
      const records = stdout
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as { level: string; message: string });
      expect(records.length).toBeLessThanOrEqual(6);
      expect(stdout).not.toContain('Mapped {');
      expect(stdout).not.toContain('Effective configuration');
      const banner = records[records.length - 1].message.split('\n');
      expect(banner[0]).toMatch(
        new RegExp(
          `^Listening on http://127\\.0\\.0\\.1:${port} \\(anything-agents 1\\.0\\.0, development\\)$`,
        ),
      );
      expect(banner.slice(1).map((line) => line.trim().split(/\s+/)[0])).toEqual([
        'docs',
        'embedded',
        'data',
      ]);
      expect(banner[3]).toContain(`psql -h ${join(realpathSync(cwd), 'var', 'pgdata')}`);

      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      expect(server.stdout()).toContain('Shutdown complete');
    } finally {
      server.child.kill('SIGKILL');
    }
  }, 90_000);

  it('refuses to start in production with placeholder secrets and no DATABASE_URL', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'aa-prod-'));
    const server = startProcess(MAIN_JS, { ENVIRONMENT: 'production', PORT: '0' }, cwd);
    expect(await server.exited).toBe(1);
    expect(server.stderr()).toMatch(
      /^error: Production environment cannot start with default secrets\. Fix the following: /,
    );
    expect(server.stderr()).toContain('SECRET_KEY is using the starter value');
    expect(server.stderr()).toContain('DATABASE_URL must be set');
  }, 30_000);

  it('a busy PORT is one clear line and exit 1, before the database is opened', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'aa-busy-'));
    const port = await freePort();
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    try {
      const server = startProcess(
        MAIN_JS,
        { PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' },
        cwd,
      );
      expect(await server.exited).toBe(1);
      expect(server.stderr()).toBe(
        `error: port ${port} on 127.0.0.1 is already in use (is another server running?); ` +
          `stop it or choose another port, e.g. PORT=${port + 1} npm start (or PORT in .env)\n`,
      );
      expect(server.stdout()).toBe('');
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  }, 30_000);

  it('reports every configuration error at once and exits 1', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'aa-bad-'));
    const server = startProcess(MAIN_JS, { PORT: 'abc', DATABASE_POOL_SIZE: '0' }, cwd);
    expect(await server.exited).toBe(1);
    expect(server.stderr()).toContain('PORT must be an integer');
    expect(server.stderr()).toContain('DATABASE_POOL_SIZE');
  }, 30_000);
});
