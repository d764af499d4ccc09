import { validateSync, type ValidationError } from 'class-validator';
import { AppConfig } from './app-config';
import { EnvParseError, parseBool, parseByKind } from './env-parsers';
import { readEnvSources, upperCaseKeys, type EnvMap } from './env-source';
import { settingsOf, type SettingMetadata } from './setting.decorator';

/** Every problem found in the configuration, reported together so operators fix them in one pass. */
export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n - ${problems.join('\n - ')}`);
    this.name = 'ConfigValidationError';
  }
}

export interface LoadConfigOptions {
  /** Read `.env`/`.env.local` from the working directory (off in tests that pass explicit env). */
  readDotenvFiles?: boolean;
  cwd?: string;
}

/** Builds, coerces and validates the configuration from an env map (defaults to process.env). */
export function loadConfig(env: EnvMap = process.env, options: LoadConfigOptions = {}): AppConfig {
  const source = options.readDotenvFiles === false ? env : readEnvSources(env, options.cwd);
  const values = upperCaseKeys(source);
  const config = new AppConfig();
  const problems: string[] = [];

  applyEnvironmentDefaults(config, values);
  for (const setting of settingsOf(config)) {
    const raw = lookup(values, setting);
    if (raw === undefined) continue;
    try {
      assign(config, setting, raw);
    } catch (error) {
      if (!(error instanceof EnvParseError)) throw error;
      problems.push(error.message);
    }
  }

  problems.push(...validateSync(config).flatMap(describe));
  problems.push(...crossFieldProblems(config));
  if (problems.length > 0) throw new ConfigValidationError(problems);
  return config;
}

function lookup(values: Map<string, string>, setting: SettingMetadata): string | undefined {
  for (const name of [setting.property, ...(setting.aliases ?? [])]) {
    const raw = values.get(name.toUpperCase());
    if (raw !== undefined) return raw;
  }
  return undefined;
}

function assign(config: AppConfig, setting: SettingMetadata, raw: string): void {
  const target = config as unknown as Record<string, unknown>;
  if (raw.trim() === '' && (setting.kind === 'string' || target[setting.property] === undefined)) {
    // A blank value means "unset" (an uncommented `STRIPE_SECRET_KEY=` line of .env.example):
    // optional settings stay undefined, strings keep their default. A blank list or map is the
    // empty collection, and a blank number or boolean of a setting with a default is an error.
    return;
  }
  target[setting.property] = parseByKind(
    setting.kind,
    setting.property,
    setting.lowercase ? raw.toLowerCase() : raw,
  );
}

/** Defaults that depend on the environment: safe choices in production, convenient ones in dev. */
function applyEnvironmentDefaults(config: AppConfig, values: Map<string, string>): void {
  const environment = values.get('ENVIRONMENT')?.trim();
  if (environment) config.ENVIRONMENT = environment;
  if (!config.isProduction) return;
  config.AUTO_RUN_MIGRATIONS = false;
  config.ENABLE_API_DOCS = false;
  // An unparseable DEBUG is reported by the normal pass; here only a clean value matters.
  const debug = values.get('DEBUG');
  if (debug !== undefined) {
    try {
      config.DEBUG = parseBool('DEBUG', debug);
    } catch {
      /* reported later */
    }
  }
}

function describe(error: ValidationError): string[] {
  const own = Object.values(error.constraints ?? {}).map((message) =>
    message.startsWith(error.property) ? message : `${error.property}: ${message}`,
  );
  return [...own, ...(error.children ?? []).flatMap(describe)];
}

/** Groups of settings that only make sense together. */
function crossFieldProblems(config: AppConfig): string[] {
  const problems: string[] = [];
  if (config.AUTH_KEY_STORAGE_BACKEND === 'secret-manager') {
    const missing = (['VAULT_ADDR', 'VAULT_TOKEN', 'AUTH_KEY_SECRET_NAME'] as const).filter(
      (name) => !config[name],
    );
    if (missing.length > 0) {
      problems.push(`AUTH_KEY_STORAGE_BACKEND=secret-manager requires ${missing.join(', ')}`);
    }
  }
  if (config.ENABLE_BILLING) {
    const missing: string[] = [];
    if (!config.STRIPE_SECRET_KEY) missing.push('STRIPE_SECRET_KEY');
    if (!config.STRIPE_WEBHOOK_SECRET) missing.push('STRIPE_WEBHOOK_SECRET');
    if (Object.keys(config.STRIPE_PRODUCT_PRICE_MAP).length === 0)
      missing.push('STRIPE_PRODUCT_PRICE_MAP');
    if (missing.length > 0) {
      problems.push(
        `ENABLE_BILLING=true requires Stripe configuration. Set ${missing.join(', ')} ` +
          '(see README.md#billing-and-stripe).',
      );
    }
  }
  for (const [agent, budget] of Object.entries(config.CHAT_HISTORY_TOKEN_BUDGETS)) {
    if (!/^\d{1,9}$/.test(budget)) {
      problems.push(
        `CHAT_HISTORY_TOKEN_BUDGETS: the budget of ${agent} must be a whole number of tokens (0 sends all history)`,
      );
    }
  }
  if (config.DATABASE_POOL_SIZE + config.DATABASE_MAX_OVERFLOW > 1000) {
    problems.push('DATABASE_POOL_SIZE + DATABASE_MAX_OVERFLOW must not exceed 1000');
  }
  return problems;
}
