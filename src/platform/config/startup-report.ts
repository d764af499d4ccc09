import { resolve } from 'node:path';
import type { Logger } from 'pino';
import type { AppConfig } from './app-config';
import { maskedConfig } from './masking';
import { secretWarnings } from './secret-guard';

/** The parts of decision P10 in use, for the single startup warning. */
export function embeddedParts(config: AppConfig): string[] {
  const parts: string[] = [];
  if (config.usesEmbeddedDatabase)
    parts.push(`Postgres (embedded PGlite, data in ${config.EMBEDDED_DATABASE_DIR})`);
  if (config.usesEmbeddedRedis) parts.push('Redis (in-process ioredis-mock)');
  if (config.usesOfflineModel) parts.push('model (offline deterministic model, no OPENAI_API_KEY)');
  if (!config.SMTP_URL) parts.push('email (logged, not sent: no SMTP_URL)');
  return parts;
}

/** Each embedded part with the setting that replaces it by the real service. */
export function embeddedSwitches(config: AppConfig): { part: string; setting: string }[] {
  return [
    config.usesEmbeddedDatabase && { part: 'Postgres', setting: 'DATABASE_URL' },
    config.usesEmbeddedRedis && { part: 'Redis', setting: 'REDIS_URL' },
    config.usesOfflineModel && { part: 'model', setting: 'OPENAI_API_KEY' },
    !config.SMTP_URL && { part: 'email', setting: 'SMTP_URL' },
  ].filter((entry): entry is { part: string; setting: string } => Boolean(entry));
}

/** `SECRET_KEY is using the starter value` -> `SECRET_KEY`; other warnings stay as they are. */
function starterNames(warnings: string[]): string[] {
  return warnings.map(
    (warning) => /^(\w+) is using the starter value$/.exec(warning)?.[1] ?? warning,
  );
}

/**
 * Before the app is built: the effective (masked) configuration at debug, then at most two
 * warnings: starter secrets, and the embedded parts in use (decision P10). The banner follows
 * once the server listens.
 */
export function logStartupReport(config: AppConfig, logger: Logger): void {
  logger.debug({ config: maskedConfig(config) }, 'Effective configuration');
  const starter = starterNames(secretWarnings(config));
  if (starter.length > 0) {
    logger.warn(
      { environment: config.ENVIRONMENT, settings: starter },
      `Starter secrets in use in ${config.ENVIRONMENT} (production refuses them): ${starter.join(', ')}`,
    );
  }
  const embedded = embeddedParts(config);
  if (embedded.length > 0) {
    logger.warn({ embedded }, `Running on embedded development defaults: ${embedded.join(', ')}`);
  }
}

export interface ListeningAddress {
  host: string;
  port: number;
}

/** Where a browser on this machine reaches the server (`0.0.0.0`/`::` are not clickable). */
export function publicUrl(address: ListeningAddress): string {
  const wildcard = ['0.0.0.0', '::', '', '::ffff:0.0.0.0'].includes(address.host);
  const host = wildcard
    ? 'localhost'
    : address.host.includes(':')
      ? `[${address.host}]`
      : address.host;
  return `http://${host}:${address.port}`;
}

/** `host:port/database` of a Postgres URL, never its credentials. */
function databaseLocation(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.host}${parsed.pathname}`;
  } catch {
    return 'DATABASE_URL';
  }
}

export interface StartupBanner {
  message: string;
  fields: Record<string, unknown>;
}

/**
 * The one startup banner, once the server listens: where it is, where the docs are, which parts
 * are embedded (and how to swap them), and where data lives.
 */
export function startupBanner(
  config: AppConfig,
  address: ListeningAddress,
  embeddedPostgres?: ListeningAddress,
): StartupBanner {
  const url = publicUrl(address);
  const lines = [
    `Listening on ${url} (${config.APP_NAME} ${config.APP_VERSION}, ${config.ENVIRONMENT})`,
  ];
  const fields: Record<string, unknown> = {
    url,
    host: address.host,
    port: address.port,
    environment: config.ENVIRONMENT,
    openapi: `${url}/openapi.json`,
  };
  if (config.ENABLE_API_DOCS) {
    fields.docs = `${url}/docs`;
    lines.push(`  docs      ${url}/docs (OpenAPI: ${url}/openapi.json)`);
  } else {
    lines.push(`  docs      off (ENABLE_API_DOCS=false); OpenAPI: ${url}/openapi.json`);
  }
  const switches = embeddedSwitches(config);
  if (switches.length > 0) {
    fields.embedded = switches.map((entry) => entry.part);
    lines.push(
      `  embedded  ${switches.map((entry) => entry.part).join(', ')}; ` +
        `set ${switches.map((entry) => entry.setting).join(', ')} to use the real services`,
    );
  }
  const data: string[] = [];
  if (config.usesEmbeddedDatabase) {
    const directory = resolve(config.EMBEDDED_DATABASE_DIR);
    fields.data_dir = directory;
    const psql = embeddedPostgres
      ? ` (psql -h ${embeddedPostgres.host} -p ${embeddedPostgres.port} -U postgres)`
      : '';
    if (embeddedPostgres) fields.embedded_postgres = embeddedPostgres;
    data.push(`Postgres in ${directory}${psql}`);
  } else if (config.DATABASE_URL) {
    data.push(`Postgres at ${databaseLocation(config.DATABASE_URL)}`);
  }
  if (config.AUTH_KEY_STORAGE_BACKEND === 'file') {
    fields.keyset = config.AUTH_KEY_STORAGE_PATH;
    data.push(`signing keys in ${config.AUTH_KEY_STORAGE_PATH}`);
  } else {
    data.push(`signing keys in ${config.AUTH_KEY_STORAGE_BACKEND}`);
  }
  lines.push(`  data      ${data.join('; ')}`);
  return { message: lines.join('\n'), fields };
}
