import type { AppConfig } from './app-config';
import { settingsOf } from './setting.decorator';

export const DEFAULT_KEYSET_PATH = 'var/keys/keyset.json';

/** Raised when a production-like environment would start with unsafe settings. */
export class ProductionSafetyError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Production environment cannot start with default secrets. Fix the following: ${problems.join('; ')}`,
    );
    this.name = 'ProductionSafetyError';
  }
}

/**
 * Placeholder secrets: the reference's starter values, plus the peppers and salts the reference
 * forgot to check. Blank counts as a placeholder.
 */
export function secretWarnings(config: AppConfig): string[] {
  const warnings: string[] = [];
  const values = config as unknown as Record<string, unknown>;
  for (const setting of settingsOf(config)) {
    if (!setting.placeholders) continue;
    const raw = values[setting.property];
    const value = typeof raw === 'string' ? raw.trim() : '';
    if (value === '' || setting.placeholders.includes(value)) {
      warnings.push(`${setting.property} is using the starter value`);
    }
  }
  if (config.AUTH_JWKS_ETAG_SALT.trim() === 'local-jwks-salt') {
    warnings.push('AUTH_JWKS_ETAG_SALT is using the starter value');
  }
  if (
    config.AUTH_KEY_STORAGE_BACKEND === 'file' &&
    config.AUTH_KEY_STORAGE_PATH === DEFAULT_KEYSET_PATH
  ) {
    warnings.push(`AUTH_KEY_STORAGE_PATH still points to ${DEFAULT_KEYSET_PATH}`);
  }
  return warnings;
}

/** Everything that only development may run with: embedded parts, open doors, debug. */
export function productionProblems(config: AppConfig): string[] {
  const problems = secretWarnings(config);
  if (config.DEBUG) problems.push('DEBUG=true is not allowed in production');
  if (!config.AUTH_SESSION_IP_HASH_SALT)
    problems.push('AUTH_SESSION_IP_HASH_SALT must be set (no SECRET_KEY fallback)');
  if (!config.AUTH_SESSION_ENCRYPTION_KEY) {
    problems.push('AUTH_SESSION_ENCRYPTION_KEY must be set (no SECRET_KEY fallback)');
  }
  if (config.usesEmbeddedDatabase)
    problems.push('DATABASE_URL must be set (embedded Postgres is for development)');
  if (config.usesEmbeddedRedis)
    problems.push('REDIS_URL must be set (in-process Redis is for development)');
  if (config.usesOfflineModel)
    problems.push('OPENAI_API_KEY must be set (the offline model is for development)');
  if (!config.SMTP_URL) problems.push('SMTP_URL must be set (logged email is for development)');
  if (!config.VAULT_VERIFY_ENABLED) {
    problems.push(
      'VAULT_VERIFY_ENABLED must be true (dev-local service-account issuance is for development)',
    );
  }
  if (isLiveEnvironment(config) && config.STRIPE_SECRET_KEY?.startsWith('sk_test_')) {
    problems.push('STRIPE_SECRET_KEY is a test-mode key');
  }
  return problems;
}

/** Refuses to start a production-like environment with any unsafe setting. */
export function assertProductionSafe(
  config: AppConfig,
  options: { force?: boolean } = {},
): string[] {
  if (!config.isProduction && !options.force) return secretWarnings(config);
  const problems =
    options.force && !config.isProduction ? secretWarnings(config) : productionProblems(config);
  if (problems.length > 0) throw new ProductionSafetyError(problems);
  return [];
}

function isLiveEnvironment(config: AppConfig): boolean {
  return ['production', 'prod'].includes(config.ENVIRONMENT.toLowerCase());
}
