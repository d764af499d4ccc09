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

/** Logs the effective (masked) configuration, starter-secret warnings and embedded parts once. */
export function logStartupReport(config: AppConfig, logger: Logger): void {
  logger.info({ config: maskedConfig(config) }, 'Effective configuration');
  const warnings = secretWarnings(config);
  if (warnings.length > 0) {
    logger.warn(
      { environment: config.ENVIRONMENT, warnings },
      `Starter secrets in use: ${warnings.join('; ')}`,
    );
  }
  const embedded = embeddedParts(config);
  if (embedded.length > 0) {
    logger.warn({ embedded }, `Running on embedded development defaults: ${embedded.join(', ')}`);
  }
}
