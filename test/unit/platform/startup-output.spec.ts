import { Writable } from 'node:stream';
import { resolve } from 'node:path';
import { loadConfig } from '../../../src/platform/config/load-config';
import {
  logStartupReport,
  publicUrl,
  startupBanner,
} from '../../../src/platform/config/startup-report';
import {
  createLogger,
  formatPrettyRecord,
  resolveLogFormat,
} from '../../../src/platform/observability/logger';
import { PinoNestLogger } from '../../../src/platform/observability/pino-nest-logger';

function config(env: Record<string, string> = {}) {
  return loadConfig({ ENVIRONMENT: 'development', ...env }, { readDotenvFiles: false });
}

function capture(level = 'info') {
  const text: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text.push(chunk.toString());
      callback();
    },
  });
  const records = () =>
    text
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { records, logger: createLogger({ level, format: 'json', destination }) };
}

describe('log format (auto by default, explicit LOG_FORMAT wins)', () => {
  it('is readable on a terminal in development, JSON when piped and always in production', () => {
    expect(config().LOG_FORMAT).toBe('auto');
    expect(resolveLogFormat('auto', { production: false, tty: true })).toBe('pretty');
    expect(resolveLogFormat('auto', { production: false, tty: false })).toBe('json');
    expect(resolveLogFormat('auto', { production: true, tty: true })).toBe('json');
    expect(resolveLogFormat('json', { production: false, tty: true })).toBe('json');
    expect(resolveLogFormat('pretty', { production: false, tty: false })).toBe('pretty');
    expect(() => config({ LOG_FORMAT: 'fancy' })).toThrow(/LOG_FORMAT/);
  });

  it('renders one line per record with only the fields the message does not show', () => {
    const line = formatPrettyRecord({
      level: 'info',
      time: '2026-01-02T03:04:05.678Z',
      pid: 1,
      name: 'anything-agents',
      logger: 'http.access',
      event: 'http.access',
      method: 'GET',
      route: '/api/v1/tools',
      status: 200,
      duration_ms: 3.5,
      request_id: 'abc',
      message: 'GET /api/v1/tools 200',
    });
    expect(line).toMatch(
      /^\d\d:\d\d:\d\d\.678 INFO {2}\[http\.access\] GET \/api\/v1\/tools 200 duration_ms=3\.5 request_id=abc\n$/,
    );
    expect(line).not.toContain('\x1b[');
    expect(formatPrettyRecord({ level: 'warn', message: 'x', note: 'two words' })).toContain(
      'note="two words"',
    );
  });

  it('indents further message lines and error stacks under the first', () => {
    const error = new Error('boom');
    const [head, ...rest] = formatPrettyRecord({
      level: 'error',
      message: 'first\n  second',
      err: { message: 'boom', stack: error.stack },
    })
      .trimEnd()
      .split('\n');
    expect(head).toMatch(/ERROR first$/);
    expect(rest[0]).toBe(`${' '.repeat(19)}  second`);
    expect(rest[1]).toBe(`${' '.repeat(19)}Error: boom`);
  });

  it('writes pretty records to the given destination', () => {
    const text: string[] = [];
    const destination = {
      write: (chunk: string) => {
        text.push(chunk);
        return true;
      },
    };
    const logger = createLogger({ level: 'info', format: 'pretty', destination });
    logger.info({ count: 2 }, 'hello');
    expect(text.join('')).toMatch(/INFO {2}hello count=2\n$/);
  });
});

describe('startup report and banner', () => {
  it('logs the effective configuration at debug only, and the two development warnings', () => {
    const info = capture('info');
    logStartupReport(config(), info.logger);
    const messages = info.records().map((record) => String(record.message));
    expect(messages).toHaveLength(2);
    expect(messages[0]).toMatch(
      /^Starter secrets in use in development \(production refuses them\): SECRET_KEY, /,
    );
    expect(messages[1]).toMatch(
      /^Running on embedded development defaults: Postgres \(embedded PGlite, data in var\/pgdata\), Redis/,
    );

    const debug = capture('debug');
    logStartupReport(config(), debug.logger);
    const effective = debug
      .records()
      .find((record) => record.message === 'Effective configuration');
    expect(effective?.level).toBe('debug');
    expect((effective?.config as Record<string, unknown>).SECRET_KEY).not.toContain('change');
  });

  it('names the URL, the docs, the embedded parts with their switches, and where data lives', () => {
    const banner = startupBanner(
      config(),
      { host: '0.0.0.0', port: 8000 },
      { host: '/srv/var/pgdata', port: 5432 },
    );
    const lines = banner.message.split('\n');
    expect(lines).toEqual([
      'Listening on http://localhost:8000 (anything-agents 1.0.0, development)',
      '  docs      http://localhost:8000/docs (OpenAPI: http://localhost:8000/openapi.json)',
      '  embedded  Postgres, Redis, model, email; set DATABASE_URL, REDIS_URL, OPENAI_API_KEY, SMTP_URL to use the real services',
      `  data      Postgres in ${resolve('var/pgdata')} (psql -h /srv/var/pgdata -p 5432 -U postgres); signing keys in var/keys/keyset.json`,
    ]);
    expect(banner.fields).toMatchObject({
      url: 'http://localhost:8000',
      docs: 'http://localhost:8000/docs',
      embedded: ['Postgres', 'Redis', 'model', 'email'],
      data_dir: resolve('var/pgdata'),
    });
  });

  it('says nothing is embedded, and never prints database credentials, with real services', () => {
    const banner = startupBanner(
      config({
        DATABASE_URL: 'postgresql://app:s3cret@db.internal:5432/agents',
        REDIS_URL: 'redis://cache:6379/0',
        OPENAI_API_KEY: 'sk-live',
        SMTP_URL: 'smtp://mail:25',
        ENABLE_API_DOCS: 'false',
      }),
      { host: '127.0.0.1', port: 9000 },
    );
    expect(banner.message).not.toContain('embedded');
    expect(banner.message).not.toContain('s3cret');
    expect(banner.message).toContain('docs      off (ENABLE_API_DOCS=false)');
    expect(banner.message).toContain('Postgres at db.internal:5432/agents');
    expect(publicUrl({ host: '::', port: 1 })).toBe('http://localhost:1');
    expect(publicUrl({ host: '::1', port: 1 })).toBe('http://[::1]:1');
  });
});

describe("Nest's own log lines", () => {
  it('puts the bootstrap narration at debug, keeps everything else, context in its own field', () => {
    const { records, logger } = capture('info');
    const nest = new PinoNestLogger(logger.child({ logger: 'nest' }));
    nest.log('AppModule dependencies initialized', 'InstanceLoader');
    nest.log('Mapped {/health, GET} route', 'RouterExplorer');
    nest.log('something else', 'SomeService');
    nest.warn('careful', 'SomeService');
    expect(records().map((record) => [record.level, record.message, record.context])).toEqual([
      ['info', 'something else', 'SomeService'],
      ['warn', 'careful', 'SomeService'],
    ]);
    expect(records()[0].logger).toBe('nest');
  });
});
