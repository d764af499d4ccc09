import {
  ArrayNotEmpty,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
} from 'class-validator';
import { Setting } from './setting.decorator';

export const DEVELOPMENT_ENVIRONMENTS = ['development', 'dev', 'local', 'test'] as const;

/** A URL path without query or fragment (the link adds `?token=`). */
const LINK_PATH = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/;

const DEFAULT_AUDIENCE = [
  'agent-api',
  'analytics-service',
  'billing-worker',
  'support-console',
  'synthetic-monitor',
];

/**
 * Every setting the service reads, in one typed class. The property name is the environment
 * variable name (wire contract: env names are kept exactly as the reference spells them).
 * Property initialisers are the defaults; decorators declare parsing, ranges and sensitivity.
 * Instances are built only by `loadConfig`, which validates and reports every error at once.
 */
export class AppConfig {
  // ---------------------------------------------------------------- application
  @Setting({
    kind: 'string',
    group: 'application',
    description: 'Service name: OpenAPI title, `iss` claim, `/` descriptor',
  })
  @IsString()
  @MinLength(1)
  APP_NAME = 'anything-agents';

  @Setting({
    kind: 'string',
    group: 'application',
    description: 'OpenAPI description and `/` descriptor',
  })
  @IsString()
  APP_DESCRIPTION = 'anything-agents FastAPI microservice';

  @Setting({
    kind: 'string',
    group: 'application',
    description: 'Version reported by health, OpenAPI and `/`',
  })
  @IsString()
  APP_VERSION = '1.0.0';

  @Setting({ kind: 'bool', group: 'application', description: 'Debug mode; refused in production' })
  @IsBoolean()
  DEBUG = false;

  @Setting({
    kind: 'string',
    group: 'application',
    description: 'development|dev|local|test, anything else counts as production',
  })
  @IsString()
  @MinLength(1)
  ENVIRONMENT = 'development';

  @Setting({ kind: 'string', group: 'http', description: 'Interface the HTTP server binds to' })
  @IsString()
  HOST = '0.0.0.0';

  @Setting({ kind: 'int', group: 'http', description: 'HTTP port' })
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 8000;

  @Setting({ kind: 'list', group: 'http', description: 'CORS allow-list of origins (`*` allowed)' })
  @IsString({ each: true })
  ALLOWED_ORIGINS: string[] = [
    'http://localhost:8000',
    'http://localhost:8080',
    'http://localhost:3000',
  ];

  @Setting({ kind: 'list', group: 'http', description: 'CORS allowed methods' })
  @IsString({ each: true })
  ALLOWED_METHODS: string[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

  @Setting({
    kind: 'list',
    group: 'http',
    description: 'CORS allowed request headers (`*` = echo)',
  })
  @IsString({ each: true })
  ALLOWED_HEADERS: string[] = ['*'];

  @Setting({
    kind: 'list',
    group: 'http',
    description: 'Accepted Host names (`*` = any; `*.example.com` wildcards); probes are exempt',
  })
  @IsString({ each: true })
  ALLOWED_HOSTS: string[] = ['*'];

  @Setting({
    kind: 'list',
    group: 'http',
    description: 'Peers (IPs/CIDRs) whose X-Forwarded-For is honoured; empty = none',
  })
  @IsString({ each: true })
  TRUSTED_PROXIES: string[] = [];

  @Setting({
    kind: 'string',
    group: 'http',
    description: 'Largest accepted request body (e.g. 1mb)',
  })
  @Matches(/^\d+(b|kb|mb)?$/i, { message: 'HTTP_BODY_LIMIT must look like 512kb or 1mb' })
  HTTP_BODY_LIMIT = '1mb';

  @Setting({
    kind: 'int',
    group: 'http',
    description:
      'Seconds an idle keep-alive connection stays open; above the idle timeout of the proxy or load balancer in front (nginx and AWS ALB: 60), so the server never closes a socket the proxy is reusing',
  })
  @IsInt()
  @Min(1)
  @Max(3600)
  HTTP_KEEPALIVE_TIMEOUT_SECONDS = 65;

  @Setting({
    kind: 'int',
    group: 'http',
    description: 'Seconds to drain requests and streams on SIGTERM',
  })
  @IsInt()
  @Min(0)
  @Max(600)
  SHUTDOWN_GRACE_SECONDS = 25;

  @Setting({
    kind: 'int',
    group: 'http',
    description: 'SSE keep-alive comment interval in seconds',
  })
  @IsInt()
  @Min(1)
  @Max(300)
  SSE_PING_SECONDS = 15;

  @Setting({
    kind: 'int',
    group: 'http',
    description: 'Bytes an SSE stream may buffer for a slow client before its producer waits',
  })
  @IsInt()
  @Min(1024)
  @Max(67108864)
  SSE_MAX_BUFFERED_BYTES = 65536;

  @Setting({
    kind: 'float',
    group: 'http',
    description: 'Seconds an SSE stream may stay over its buffer bound before it is closed',
  })
  @IsNumber()
  @Min(0.05)
  @Max(3600)
  SSE_STALL_TIMEOUT_SECONDS = 30;

  @Setting({
    kind: 'bool',
    group: 'http',
    description: 'Serve Swagger UI at /docs (default: on outside production)',
    aliases: ['ENABLE_DOCS'],
  })
  @IsBoolean()
  ENABLE_API_DOCS = true;

  // -------------------------------------------------------------- observability
  @Setting({
    lowercase: true,
    kind: 'string',
    group: 'observability',
    description: 'fatal|error|warn|info|debug|trace|silent',
  })
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  @Setting({
    lowercase: true,
    kind: 'string',
    group: 'observability',
    description:
      'auto (readable on a terminal in development, JSON otherwise and in production), json or pretty',
  })
  @IsIn(['auto', 'json', 'pretty'])
  LOG_FORMAT = 'auto';

  @Setting({
    kind: 'string',
    group: 'observability',
    description: 'When set, /metrics requires `Authorization: Bearer <token>`',
    sensitive: true,
  })
  @IsOptional()
  @IsString()
  METRICS_BEARER_TOKEN?: string;

  @Setting({
    kind: 'float',
    group: 'observability',
    description: 'Timeout of each readiness check in seconds',
  })
  @IsNumber()
  @Min(0.05)
  @Max(60)
  HEALTH_CHECK_TIMEOUT_SECONDS = 2;

  // ------------------------------------------------------------------- database
  @Setting({
    kind: 'string',
    group: 'database',
    description:
      'Postgres URL (postgresql://, postgres:// or postgresql+asyncpg://); unset = embedded PGlite',
    sensitive: true,
  })
  @IsOptional()
  @Matches(/^postgres(ql)?(\+\w+)?:\/\//, {
    message: 'DATABASE_URL must be a postgresql:// URL (postgresql+asyncpg:// is accepted)',
  })
  DATABASE_URL?: string;

  @Setting({
    kind: 'string',
    group: 'database',
    description: 'Data directory of the embedded Postgres',
  })
  @IsString()
  EMBEDDED_DATABASE_DIR = 'var/pgdata';

  @Setting({ kind: 'int', group: 'database', description: 'Pool size' })
  @IsInt()
  @Min(1)
  @Max(1000)
  DATABASE_POOL_SIZE = 5;

  @Setting({
    kind: 'int',
    group: 'database',
    description: 'Connections allowed beyond the pool size',
  })
  @IsInt()
  @Min(0)
  @Max(1000)
  DATABASE_MAX_OVERFLOW = 10;

  @Setting({
    kind: 'int',
    group: 'database',
    description: 'Seconds after which an idle pooled connection is replaced',
  })
  @IsInt()
  @Min(1)
  DATABASE_POOL_RECYCLE = 1800;

  @Setting({
    kind: 'float',
    group: 'database',
    description: 'Seconds to wait for a free connection',
  })
  @IsNumber()
  @Min(0.1)
  @Max(600)
  DATABASE_POOL_TIMEOUT = 30;

  @Setting({
    kind: 'float',
    group: 'database',
    description: 'Timeout of the SELECT 1 probe in seconds',
  })
  @IsNumber()
  @Min(0.1)
  @Max(120)
  DATABASE_HEALTH_TIMEOUT = 5;

  @Setting({
    kind: 'bool',
    group: 'database',
    description:
      'Run the hottest statements (refresh, login) as named prepared statements; false behind a transaction-pooling PgBouncer older than 1.21',
  })
  @IsBoolean()
  DATABASE_PREPARED_STATEMENTS = true;

  @Setting({ kind: 'int', group: 'database', description: 'statement_timeout in ms (0 = none)' })
  @IsInt()
  @Min(0)
  DATABASE_STATEMENT_TIMEOUT_MS = 30000;

  @Setting({ kind: 'bool', group: 'database', description: 'Log SQL statements' })
  @IsBoolean()
  DATABASE_ECHO = false;

  @Setting({
    kind: 'bool',
    group: 'database',
    description:
      'Run pending migrations at boot under an advisory lock (default: on outside production)',
  })
  @IsBoolean()
  AUTO_RUN_MIGRATIONS = true;

  // ---------------------------------------------------------------------- redis
  @Setting({
    kind: 'string',
    group: 'redis',
    description: 'Redis URL; unset = in-process Redis (development only)',
    sensitive: true,
  })
  @IsOptional()
  @Matches(/^rediss?:\/\//, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  @Setting({
    kind: 'string',
    group: 'redis',
    description:
      'Prefix applied to every Redis key (isolates tenants of a shared Redis; empty by default)',
  })
  @IsString()
  REDIS_KEY_PREFIX = '';

  // ---------------------------------------------------------------- rate limits
  @Setting({
    kind: 'string',
    group: 'rate-limits',
    description: 'Redis namespace of the rate limiter',
  })
  @IsString()
  RATE_LIMIT_KEY_PREFIX = 'rate-limit';

  @Setting({
    kind: 'int',
    group: 'rate-limits',
    description: '/chat per user per minute (<=0 disables)',
  })
  @IsInt()
  CHAT_RATE_LIMIT_PER_MINUTE = 60;

  @Setting({
    kind: 'int',
    group: 'rate-limits',
    description: '/chat/stream starts per user per minute',
  })
  @IsInt()
  CHAT_STREAM_RATE_LIMIT_PER_MINUTE = 30;

  @Setting({ kind: 'int', group: 'rate-limits', description: 'Concurrent chat streams per user' })
  @IsInt()
  CHAT_STREAM_CONCURRENT_LIMIT = 5;

  @Setting({
    kind: 'int',
    group: 'rate-limits',
    description: 'Billing stream connections per tenant per minute',
  })
  @IsInt()
  BILLING_STREAM_RATE_LIMIT_PER_MINUTE = 20;

  @Setting({
    kind: 'int',
    group: 'rate-limits',
    description: 'Concurrent billing streams per tenant',
  })
  @IsInt()
  BILLING_STREAM_CONCURRENT_LIMIT = 3;

  // ---------------------------------------------------------- legacy security
  @Setting({
    kind: 'string',
    group: 'auth',
    description: 'Legacy secret; fallback for session IP salt and encryption key',
    sensitive: true,
    placeholders: ['your-secret-key-here-change-in-production', 'change-me'],
  })
  @IsString()
  SECRET_KEY = 'your-secret-key-here-change-in-production';

  @Setting({
    kind: 'string',
    group: 'auth',
    description: 'Legacy HS256 re-sign path only (never minted)',
  })
  @IsString()
  JWT_ALGORITHM = 'HS256';

  @Setting({ kind: 'int', group: 'auth', description: 'Access-token lifetime in minutes' })
  @IsInt()
  @Min(1)
  @Max(1440)
  ACCESS_TOKEN_EXPIRE_MINUTES = 30;

  // ----------------------------------------------------------------------- auth
  @Setting({
    kind: 'list',
    group: 'auth',
    description: 'Audiences of access tokens (JSON array or CSV)',
  })
  @ArrayNotEmpty({ message: 'AUTH_AUDIENCE must contain at least one audience' })
  @IsString({ each: true })
  AUTH_AUDIENCE: string[] = [...DEFAULT_AUDIENCE];

  @Setting({
    lowercase: true,
    kind: 'string',
    group: 'auth',
    description: 'file or secret-manager (Vault KV)',
  })
  @IsIn(['file', 'secret-manager'])
  AUTH_KEY_STORAGE_BACKEND = 'file';

  @Setting({ kind: 'string', group: 'auth', description: 'Keyset file for the file backend' })
  @IsString()
  @MinLength(1)
  AUTH_KEY_STORAGE_PATH = 'var/keys/keyset.json';

  @Setting({
    kind: 'string',
    group: 'auth',
    description: 'Vault KV path of the keyset (secret-manager backend)',
  })
  @IsOptional()
  @IsString()
  AUTH_KEY_SECRET_NAME?: string;

  @Setting({ kind: 'int', group: 'auth', description: 'Fallback JWKS max-age' })
  @IsInt()
  @Min(1)
  AUTH_JWKS_CACHE_SECONDS = 300;

  @Setting({
    kind: 'int',
    group: 'auth',
    description: 'JWKS Cache-Control max-age (0 = AUTH_JWKS_CACHE_SECONDS)',
  })
  @IsInt()
  @Min(0)
  AUTH_JWKS_MAX_AGE_SECONDS = 300;

  @Setting({ kind: 'string', group: 'auth', description: 'Salt of the JWKS ETag', sensitive: true })
  @IsString()
  AUTH_JWKS_ETAG_SALT = 'local-jwks-salt';

  @Setting({
    kind: 'int',
    group: 'auth',
    description: 'Seconds the in-memory keyset cache is trusted',
  })
  @IsInt()
  @Min(0)
  AUTH_KEYSET_CACHE_SECONDS = 30;

  @Setting({
    kind: 'string',
    group: 'auth',
    description: 'Pepper of refresh-token hashes',
    sensitive: true,
    placeholders: ['local-dev-refresh-pepper', 'change-me-again', 'change-me'],
  })
  @IsString()
  @MinLength(1)
  AUTH_REFRESH_TOKEN_PEPPER = 'local-dev-refresh-pepper';

  @Setting({
    kind: 'string',
    group: 'auth',
    description: 'Pepper of password hashes',
    sensitive: true,
    placeholders: ['local-dev-password-pepper', 'change-me-too', 'change-me'],
  })
  @IsString()
  @MinLength(1)
  AUTH_PASSWORD_PEPPER = 'local-dev-password-pepper';

  @Setting({
    kind: 'int',
    group: 'auth',
    description: 'Refresh-token lifetime in minutes (30 days)',
  })
  @IsInt()
  @Min(1)
  AUTH_REFRESH_TOKEN_TTL_MINUTES = 43200;

  @Setting({
    kind: 'int',
    group: 'auth',
    description: 'Seconds a rotated refresh token still yields a pair (second browser tab)',
  })
  @IsInt()
  @Min(0)
  @Max(300)
  AUTH_REFRESH_REUSE_GRACE_SECONDS = 10;

  @Setting({
    kind: 'string',
    group: 'auth',
    description: 'Key material for encrypting stored session IPs (falls back to SECRET_KEY)',
    sensitive: true,
  })
  @IsOptional()
  @IsString()
  AUTH_SESSION_ENCRYPTION_KEY?: string;

  @Setting({
    kind: 'string',
    group: 'auth',
    description: 'Salt of session IP hashes (falls back to SECRET_KEY)',
    sensitive: true,
  })
  @IsOptional()
  @IsString()
  AUTH_SESSION_IP_HASH_SALT?: string;

  @Setting({ kind: 'int', group: 'auth', description: 'Password history depth (0 disables)' })
  @IsInt()
  @Min(0)
  @Max(50)
  AUTH_PASSWORD_HISTORY_COUNT = 5;

  @Setting({
    kind: 'int',
    group: 'auth',
    description: 'argon2id memory cost in KiB (OWASP minimum 19456)',
  })
  @IsInt()
  @Min(1024)
  AUTH_PASSWORD_ARGON2_MEMORY_KIB = 19456;

  @Setting({ kind: 'int', group: 'auth', description: 'argon2id iterations' })
  @IsInt()
  @Min(1)
  AUTH_PASSWORD_ARGON2_TIME_COST = 2;

  @Setting({ kind: 'int', group: 'auth', description: 'argon2id parallelism' })
  @IsInt()
  @Min(1)
  AUTH_PASSWORD_ARGON2_PARALLELISM = 1;

  @Setting({
    kind: 'bool',
    group: 'auth',
    description: 'Require a verified email on protected routes',
  })
  @IsBoolean()
  REQUIRE_EMAIL_VERIFICATION = true;

  @Setting({
    kind: 'string',
    group: 'auth',
    description: 'Pepper of email-verification token hashes',
    sensitive: true,
    placeholders: ['local-email-verify-pepper', 'change-me'],
  })
  @IsString()
  @MinLength(1)
  AUTH_EMAIL_VERIFICATION_TOKEN_PEPPER = 'local-email-verify-pepper';

  @Setting({
    kind: 'string',
    group: 'auth',
    description: 'Pepper of password-reset token hashes',
    sensitive: true,
    placeholders: ['local-reset-token-pepper', 'change-me'],
  })
  @IsString()
  @MinLength(1)
  AUTH_PASSWORD_RESET_TOKEN_PEPPER = 'local-reset-token-pepper';

  @Setting({ kind: 'int', group: 'auth', description: 'Reset token lifetime in minutes' })
  @IsInt()
  @Min(1)
  PASSWORD_RESET_TOKEN_TTL_MINUTES = 30;

  @Setting({ kind: 'int', group: 'auth', description: 'Reset requests per email per hour' })
  @IsInt()
  PASSWORD_RESET_EMAIL_RATE_LIMIT_PER_HOUR = 5;

  @Setting({ kind: 'int', group: 'auth', description: 'Reset requests per IP per hour' })
  @IsInt()
  PASSWORD_RESET_IP_RATE_LIMIT_PER_HOUR = 20;

  @Setting({ kind: 'int', group: 'auth', description: 'Verification token lifetime in minutes' })
  @IsInt()
  @Min(1)
  EMAIL_VERIFICATION_TOKEN_TTL_MINUTES = 60;

  @Setting({ kind: 'int', group: 'auth', description: 'Verification sends per user per hour' })
  @IsInt()
  EMAIL_VERIFICATION_EMAIL_RATE_LIMIT_PER_HOUR = 3;

  @Setting({ kind: 'int', group: 'auth', description: 'Verification sends per IP per hour' })
  @IsInt()
  EMAIL_VERIFICATION_IP_RATE_LIMIT_PER_HOUR = 10;

  @Setting({ kind: 'int', group: 'auth', description: 'Failed logins before an account locks' })
  @IsInt()
  @Min(1)
  AUTH_LOCKOUT_THRESHOLD = 5;

  @Setting({
    kind: 'float',
    group: 'auth',
    description: 'Sliding window of the failure counter (minutes)',
  })
  @IsNumber()
  @Min(0.01)
  AUTH_LOCKOUT_WINDOW_MINUTES = 60;

  @Setting({ kind: 'float', group: 'auth', description: 'Lock duration (minutes)' })
  @IsNumber()
  @Min(0.01)
  AUTH_LOCKOUT_DURATION_MINUTES = 60;

  @Setting({ kind: 'int', group: 'auth', description: 'Failures per IP or /24 before throttling' })
  @IsInt()
  @Min(1)
  AUTH_IP_LOCKOUT_THRESHOLD = 50;

  @Setting({ kind: 'int', group: 'auth', description: 'IP throttle window (minutes)' })
  @IsInt()
  @Min(1)
  AUTH_IP_LOCKOUT_WINDOW_MINUTES = 10;

  @Setting({ kind: 'int', group: 'auth', description: 'IP block duration (minutes)' })
  @IsInt()
  @Min(1)
  AUTH_IP_LOCKOUT_DURATION_MINUTES = 10;

  @Setting({
    kind: 'string',
    group: 'auth',
    description: 'Service-account catalog (YAML); default is the packaged catalog',
  })
  @IsOptional()
  @IsString()
  AUTH_SERVICE_ACCOUNT_CATALOG_PATH?: string;

  @Setting({
    kind: 'int',
    group: 'auth',
    description: 'Lifetime of access tokens exchanged from service-account tokens (minutes)',
  })
  @IsInt()
  @Min(1)
  @Max(1440)
  AUTH_SERVICE_ACCOUNT_ACCESS_TOKEN_TTL_MINUTES = 15;

  @Setting({
    kind: 'int',
    group: 'auth',
    description: 'Days audit events are kept (0 keeps them forever)',
  })
  @IsInt()
  @Min(0)
  @Max(36500)
  AUDIT_RETENTION_DAYS = 365;

  @Setting({ kind: 'int', group: 'auth', description: 'Days a tenant invitation stays valid' })
  @IsInt()
  @Min(1)
  @Max(90)
  INVITATION_TTL_DAYS = 7;

  @Setting({
    kind: 'int',
    group: 'auth',
    description: 'Lifetime in minutes of the unlock link mailed when an account locks',
  })
  @IsInt()
  @Min(1)
  @Max(10080)
  ACCOUNT_UNLOCK_TOKEN_TTL_MINUTES = 60;

  // --------------------------------------------------------------------- signup
  @Setting({ kind: 'bool', group: 'signup', description: 'Enable /auth/register' })
  @IsBoolean()
  ALLOW_PUBLIC_SIGNUP = true;

  @Setting({
    kind: 'bool',
    group: 'signup',
    description: 'Honour caller-supplied trial_days (capped)',
  })
  @IsBoolean()
  ALLOW_SIGNUP_TRIAL_OVERRIDE = false;

  @Setting({ kind: 'int', group: 'signup', description: 'Signups per IP per hour (0 disables)' })
  @IsInt()
  @Min(0)
  SIGNUP_RATE_LIMIT_PER_HOUR = 20;

  @Setting({
    kind: 'string',
    group: 'signup',
    description: 'Plan provisioned for new tenants when billing is on',
  })
  @IsOptional()
  @IsString()
  SIGNUP_DEFAULT_PLAN_CODE?: string = 'starter';

  @Setting({ kind: 'int', group: 'signup', description: 'Fallback trial length in days' })
  @IsInt()
  @Min(0)
  SIGNUP_DEFAULT_TRIAL_DAYS = 14;

  // ---------------------------------------------------------------------- email
  @Setting({
    kind: 'string',
    group: 'email',
    description: 'SMTP URL (smtp:// or smtps://); unset = mail is logged (development only)',
    sensitive: true,
  })
  @IsOptional()
  @Matches(/^smtps?:\/\//, { message: 'SMTP_URL must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;

  @Setting({ kind: 'string', group: 'email', description: 'From address of outgoing mail' })
  @IsString()
  EMAIL_FROM = 'anything-agents <no-reply@localhost>';

  @Setting({
    kind: 'string',
    group: 'email',
    description: 'Base URL of links in emails (the frontend)',
  })
  @Matches(/^https?:\/\//, { message: 'EMAIL_LINK_BASE_URL must be an http(s) URL' })
  EMAIL_LINK_BASE_URL = 'http://localhost:3000';

  @Setting({
    kind: 'string',
    group: 'email',
    description:
      'Page of the frontend that posts a verification token back; appended to EMAIL_LINK_BASE_URL with ?token=',
  })
  @Matches(LINK_PATH, { message: 'EMAIL_VERIFICATION_LINK_PATH must be a path like /email/verify' })
  EMAIL_VERIFICATION_LINK_PATH = '/email/verify';

  @Setting({
    kind: 'string',
    group: 'email',
    description:
      'Page of the frontend that sets a new password with a reset token; appended to EMAIL_LINK_BASE_URL with ?token=',
  })
  @Matches(LINK_PATH, { message: 'PASSWORD_RESET_LINK_PATH must be a path like /reset-password' })
  PASSWORD_RESET_LINK_PATH = '/reset-password';

  @Setting({
    kind: 'string',
    group: 'email',
    description:
      'Page of the frontend that accepts a tenant invitation; appended to EMAIL_LINK_BASE_URL with ?token=',
  })
  @Matches(LINK_PATH, { message: 'INVITATION_LINK_PATH must be a path like /invitations/accept' })
  INVITATION_LINK_PATH = '/invitations/accept';

  @Setting({
    kind: 'string',
    group: 'email',
    description:
      'Page of the frontend that unlocks a locked account; appended to EMAIL_LINK_BASE_URL with ?token=',
  })
  @Matches(LINK_PATH, { message: 'ACCOUNT_UNLOCK_LINK_PATH must be a path like /unlock' })
  ACCOUNT_UNLOCK_LINK_PATH = '/unlock';

  // ---------------------------------------------------------------------- vault
  @Setting({
    kind: 'string',
    group: 'vault',
    description: 'Vault base URL (KV keyset, Transit verification)',
  })
  @IsOptional()
  @Matches(/^https?:\/\//, { message: 'VAULT_ADDR must be an http(s) URL' })
  VAULT_ADDR?: string;

  @Setting({ kind: 'string', group: 'vault', description: 'Vault token', sensitive: true })
  @IsOptional()
  @IsString()
  VAULT_TOKEN?: string;

  @Setting({ kind: 'string', group: 'vault', description: 'Transit key name' })
  @IsString()
  VAULT_TRANSIT_KEY = 'auth-service';

  @Setting({
    kind: 'bool',
    group: 'vault',
    description: 'Require Vault-signed service-account issuance',
  })
  @IsBoolean()
  VAULT_VERIFY_ENABLED = false;

  @Setting({ kind: 'float', group: 'vault', description: 'Timeout of Vault HTTP calls in seconds' })
  @IsNumber()
  @Min(0.1)
  VAULT_TIMEOUT_SECONDS = 5;

  // --------------------------------------------------------------------- models
  @Setting({
    kind: 'string',
    group: 'models',
    description: 'OpenAI API key; unset = offline deterministic model (development only)',
    sensitive: true,
  })
  @IsOptional()
  @IsString()
  OPENAI_API_KEY?: string;

  @Setting({
    kind: 'string',
    group: 'models',
    description: 'OpenAI-compatible base URL (e.g. http://host/v1)',
  })
  @IsOptional()
  @Matches(/^https?:\/\//, { message: 'OPENAI_BASE_URL must be an http(s) URL' })
  OPENAI_BASE_URL?: string;

  @Setting({
    lowercase: true,
    kind: 'string',
    group: 'models',
    description: 'responses or chat_completions',
  })
  @IsIn(['responses', 'chat_completions'])
  OPENAI_API_FLAVOR = 'responses';

  @Setting({ kind: 'bool', group: 'models', description: 'Export Agents SDK traces to OpenAI' })
  @IsBoolean()
  OPENAI_AGENTS_TRACING = false;

  @Setting({ kind: 'float', group: 'models', description: 'Model request timeout in seconds' })
  @IsNumber()
  @Min(1)
  OPENAI_TIMEOUT_SECONDS = 120;

  @Setting({ kind: 'string', group: 'models', description: 'Default model of every agent' })
  @IsString()
  @MinLength(1)
  AGENT_DEFAULT_MODEL = 'gpt-4.1-2025-04-14';

  @Setting({ kind: 'string', group: 'models', description: 'Model override for the triage agent' })
  @IsOptional()
  @IsString()
  AGENT_TRIAGE_MODEL?: string;

  @Setting({
    kind: 'string',
    group: 'models',
    description: 'Model override for the code assistant',
  })
  @IsOptional()
  @IsString()
  AGENT_CODE_ASSISTANT_MODEL?: string;

  @Setting({ kind: 'string', group: 'models', description: 'Model override for the data analyst' })
  @IsOptional()
  @IsString()
  AGENT_DATA_ANALYST_MODEL?: string;

  @Setting({ kind: 'int', group: 'models', description: 'Maximum agent turns per run' })
  @IsInt()
  @Min(1)
  @Max(100)
  AGENT_MAX_TURNS = 10;

  @Setting({
    kind: 'string',
    group: 'models',
    description: 'Declared for compatibility; unused',
    sensitive: true,
  })
  @IsOptional()
  @IsString()
  ANTHROPIC_API_KEY?: string;

  @Setting({
    kind: 'string',
    group: 'models',
    description: 'Declared for compatibility; unused',
    sensitive: true,
  })
  @IsOptional()
  @IsString()
  GEMINI_API_KEY?: string;

  @Setting({
    kind: 'string',
    group: 'models',
    description: 'Declared for compatibility; unused',
    sensitive: true,
  })
  @IsOptional()
  @IsString()
  XAI_API_KEY?: string;

  // ---------------------------------------------------------------------- tools
  @Setting({
    kind: 'string',
    group: 'tools',
    description: 'Tavily key; web search is available only when set',
    sensitive: true,
  })
  @IsOptional()
  @IsString()
  TAVILY_API_KEY?: string;

  @Setting({ kind: 'string', group: 'tools', description: 'Tavily API base URL' })
  @Matches(/^https?:\/\//, { message: 'TAVILY_BASE_URL must be an http(s) URL' })
  TAVILY_BASE_URL = 'https://api.tavily.com';

  @Setting({ kind: 'float', group: 'tools', description: 'Tavily request timeout in seconds' })
  @IsNumber()
  @Min(0.1)
  TAVILY_TIMEOUT_SECONDS = 10;

  // ----------------------------------------------------------------------- chat
  @Setting({
    kind: 'int',
    group: 'chat',
    description: 'Longest accepted chat message in characters',
  })
  @IsInt()
  @Min(1)
  CHAT_MAX_MESSAGE_CHARS = 32000;

  @Setting({
    kind: 'int',
    group: 'chat',
    description:
      'Seconds a chat send with a client_message_id / Idempotency-Key is remembered for replay; docs/chat-idempotency.md',
  })
  @IsInt()
  @Min(1)
  CHAT_IDEMPOTENCY_WINDOW_SECONDS = 86400;

  @Setting({
    kind: 'int',
    group: 'chat',
    description:
      'Estimated tokens of conversation history sent to the model per turn (oldest turns dropped beyond it; 0 sends all); docs/conversations.md',
  })
  @IsInt()
  @Min(0)
  CHAT_HISTORY_TOKEN_BUDGET = 24000;

  @Setting({
    kind: 'map',
    group: 'chat',
    description:
      'Per-agent history budgets overriding CHAT_HISTORY_TOKEN_BUDGET, e.g. {"code_assistant":"60000"}',
  })
  CHAT_HISTORY_TOKEN_BUDGETS: Record<string, string> = {};

  @Setting({
    kind: 'int',
    group: 'chat',
    description:
      'Seconds a streamed run keeps going after its client dropped, so it can be resumed (0 stops it at once); docs/chat-runs.md',
  })
  @IsInt()
  @Min(0)
  @Max(600)
  CHAT_STREAM_RESUME_GRACE_SECONDS = 20;

  @Setting({
    kind: 'int',
    group: 'chat',
    description:
      'Seconds a run and its stream frames stay in Redis after it ended (for resume and cancel answers); docs/chat-runs.md',
  })
  @IsInt()
  @Min(10)
  CHAT_RUN_RETENTION_SECONDS = 900;

  @Setting({
    kind: 'int',
    group: 'chat',
    description: 'Largest accepted request `context`, in bytes of its JSON; docs/chat-runs.md',
  })
  @IsInt()
  @Min(0)
  CHAT_CONTEXT_MAX_BYTES = 4096;

  // -------------------------------------------------------------------- billing
  @Setting({
    kind: 'bool',
    group: 'billing',
    description: 'Mount billing routes and the Stripe webhook',
  })
  @IsBoolean()
  ENABLE_BILLING = false;

  @Setting({
    kind: 'bool',
    group: 'billing',
    description: 'Serve /api/v1/billing/stream and publish events',
  })
  @IsBoolean()
  ENABLE_BILLING_STREAM = false;

  @Setting({
    kind: 'bool',
    group: 'billing',
    description: 'Run the Stripe dispatch retry worker here',
  })
  @IsBoolean()
  ENABLE_BILLING_RETRY_WORKER = true;

  @Setting({
    kind: 'bool',
    group: 'billing',
    description: 'Replay processed events into the stream after boot',
  })
  @IsBoolean()
  ENABLE_BILLING_STREAM_REPLAY = true;

  @Setting({
    kind: 'string',
    group: 'billing',
    description: 'Redis for billing streams (falls back to REDIS_URL)',
    sensitive: true,
  })
  @IsOptional()
  @Matches(/^rediss?:\/\//, { message: 'BILLING_EVENTS_REDIS_URL must be a redis:// URL' })
  BILLING_EVENTS_REDIS_URL?: string;

  @Setting({ kind: 'int', group: 'billing', description: 'Dispatch attempts before a row is dead' })
  @IsInt()
  @Min(1)
  @Max(1000)
  BILLING_RETRY_MAX_ATTEMPTS = 10;

  @Setting({
    kind: 'float',
    group: 'billing',
    description: 'Retry worker poll interval in seconds',
  })
  @IsNumber()
  @Min(0.05)
  BILLING_RETRY_POLL_SECONDS = 30;

  @Setting({ kind: 'int', group: 'billing', description: 'Rows claimed per retry poll' })
  @IsInt()
  @Min(1)
  @Max(1000)
  BILLING_RETRY_BATCH_SIZE = 10;

  @Setting({
    kind: 'float',
    group: 'billing',
    description: 'First retry delay in seconds (doubles each attempt)',
  })
  @IsNumber()
  @Min(0)
  BILLING_RETRY_BASE_SECONDS = 30;

  @Setting({ kind: 'float', group: 'billing', description: 'Largest retry delay in seconds' })
  @IsNumber()
  @Min(0)
  BILLING_RETRY_MAX_DELAY_SECONDS = 600;

  @Setting({
    kind: 'int',
    group: 'billing',
    description:
      'Chat tokens per calendar month (UTC) of a tenant without a live subscription (0: no chat without a plan)',
  })
  @IsInt()
  @Min(0)
  BILLING_FREE_TIER_CHAT_TOKENS = 50000;

  @Setting({
    kind: 'list',
    group: 'billing',
    description:
      'Plan feature toggles on for a tenant without a live subscription, e.g. enable_web_search',
  })
  @IsString({ each: true })
  BILLING_FREE_TIER_FEATURES: string[] = [];

  @Setting({
    kind: 'int',
    group: 'billing',
    description: 'Days a past_due subscription keeps its plan entitlements after its period began',
  })
  @IsInt()
  @Min(0)
  BILLING_PAST_DUE_GRACE_DAYS = 7;

  @Setting({
    kind: 'float',
    group: 'billing',
    description:
      'Seconds a replica keeps a tenant entitlements in memory (subscription changes invalidate at once)',
  })
  @IsNumber()
  @Min(0)
  BILLING_ENTITLEMENTS_CACHE_SECONDS = 60;

  @Setting({
    kind: 'float',
    group: 'billing',
    description: 'Seconds before an in_progress dispatch counts as stuck',
  })
  @IsNumber()
  @Min(1)
  BILLING_DISPATCH_LEASE_SECONDS = 300;

  @Setting({ kind: 'int', group: 'billing', description: 'Entries kept per tenant billing stream' })
  @IsInt()
  @Min(1)
  BILLING_STREAM_MAXLEN = 1024;

  @Setting({
    kind: 'int',
    group: 'billing',
    description: 'TTL of a tenant billing stream after its last publish',
  })
  @IsInt()
  @Min(1)
  BILLING_STREAM_TTL_SECONDS = 86400;

  @Setting({
    kind: 'float',
    group: 'billing',
    description:
      'Seconds a processed event may wait for its live stream publish before the outbox worker publishes it',
  })
  @IsNumber()
  @Min(0)
  BILLING_STREAM_OUTBOX_GRACE_SECONDS = 30;

  @Setting({
    kind: 'string',
    group: 'billing',
    description: 'Feature key of metered chat usage (usage_events rows, Billing Meter event)',
  })
  @Matches(/^[A-Za-z0-9_.:-]{1,64}$/, {
    message: 'CHAT_USAGE_FEATURE_KEY must be 1-64 characters of [A-Za-z0-9_.:-]',
  })
  CHAT_USAGE_FEATURE_KEY = 'chat_tokens';

  @Setting({
    kind: 'bool',
    group: 'billing',
    description: 'Run the usage meter outbox worker (sends usage_events to Stripe) here',
  })
  @IsBoolean()
  ENABLE_BILLING_METER_WORKER = true;

  @Setting({
    kind: 'float',
    group: 'billing',
    description: 'Meter outbox worker poll interval in seconds',
  })
  @IsNumber()
  @Min(0.05)
  BILLING_METER_POLL_SECONDS = 5;

  @Setting({ kind: 'int', group: 'billing', description: 'Usage events claimed per meter poll' })
  @IsInt()
  @Min(1)
  @Max(1000)
  BILLING_METER_BATCH_SIZE = 100;

  @Setting({
    kind: 'int',
    group: 'billing',
    description: 'Meter event attempts before a usage event is marked dead',
  })
  @IsInt()
  @Min(1)
  @Max(1000)
  BILLING_METER_MAX_ATTEMPTS = 12;

  @Setting({
    kind: 'float',
    group: 'billing',
    description: 'Seconds a claimed usage event stays leased before another worker may claim it',
  })
  @IsNumber()
  @Min(1)
  BILLING_METER_LEASE_SECONDS = 60;

  // --------------------------------------------------------------------- stripe
  @Setting({
    kind: 'string',
    group: 'stripe',
    description: 'Stripe secret key (sk_test_/sk_live_)',
    sensitive: true,
  })
  @IsOptional()
  @IsString()
  STRIPE_SECRET_KEY?: string;

  @Setting({
    kind: 'string',
    group: 'stripe',
    description: 'Webhook signing secret (whsec_)',
    sensitive: true,
  })
  @IsOptional()
  @IsString()
  STRIPE_WEBHOOK_SECRET?: string;

  @Setting({
    kind: 'string',
    group: 'stripe',
    description: 'Previous webhook secret, accepted during a secret rotation',
    sensitive: true,
  })
  @IsOptional()
  @IsString()
  STRIPE_WEBHOOK_SECRET_PREVIOUS?: string;

  @Setting({
    kind: 'map',
    group: 'stripe',
    description: 'Plan code -> Stripe price id (JSON or code=price CSV)',
  })
  STRIPE_PRODUCT_PRICE_MAP: Record<string, string> = {};

  @Setting({
    kind: 'map',
    group: 'stripe',
    description: 'Usage feature_key -> Billing Meter event name (default: the feature key)',
  })
  STRIPE_METER_EVENT_MAP: Record<string, string> = {};

  @Setting({
    kind: 'string',
    group: 'stripe',
    description: 'Stripe API base URL (stripe-mock or a local fake)',
  })
  @IsOptional()
  @Matches(/^https?:\/\//, { message: 'STRIPE_API_BASE_URL must be an http(s) URL' })
  STRIPE_API_BASE_URL?: string;

  @Setting({ kind: 'string', group: 'stripe', description: 'Pinned Stripe API version' })
  @IsString()
  STRIPE_API_VERSION = '2026-10-28.endive';

  @Setting({
    kind: 'int',
    group: 'stripe',
    description: 'Webhook signature timestamp tolerance (s)',
  })
  @IsInt()
  @Min(1)
  STRIPE_WEBHOOK_TOLERANCE_SECONDS = 300;

  @Setting({ kind: 'int', group: 'stripe', description: 'stripe-node network retries' })
  @IsInt()
  @Min(0)
  @Max(10)
  STRIPE_MAX_NETWORK_RETRIES = 2;

  @Setting({ kind: 'float', group: 'stripe', description: 'Stripe request timeout in seconds' })
  @IsNumber()
  @Min(0.1)
  STRIPE_TIMEOUT_SECONDS = 20;

  @Setting({
    kind: 'list',
    group: 'stripe',
    description:
      'Origins (scheme://host[:port]) that Checkout success/cancel and Portal return URLs may point at; empty: the origin of EMAIL_LINK_BASE_URL, plus http://localhost:3000 outside production. https is required in production',
  })
  @IsString({ each: true })
  BILLING_REDIRECT_ALLOWED_ORIGINS: string[] = [];

  // ------------------------------------------------------------------------ cli
  @Setting({
    lowercase: true,
    kind: 'string',
    group: 'cli',
    description: 'Default CLI output: json, text or env',
  })
  @IsIn(['json', 'text', 'env'])
  AUTH_CLI_OUTPUT = 'json';

  @Setting({
    kind: 'string',
    group: 'cli',
    description: 'API base URL the CLI talks to (default: this machine on PORT)',
  })
  @IsOptional()
  @Matches(/^https?:\/\//, { message: 'AUTH_CLI_BASE_URL must be an http(s) URL' })
  AUTH_CLI_BASE_URL?: string;

  @Setting({
    lowercase: true,
    kind: 'string',
    group: 'cli',
    description: 'vault, or local to force Bearer dev-local',
  })
  @IsIn(['vault', 'local'])
  AUTH_CLI_DEV_AUTH_MODE = 'vault';

  // ------------------------------------------------------------------ derived
  /** Unknown environments count as production (fail safe). */
  get isProduction(): boolean {
    return !(DEVELOPMENT_ENVIRONMENTS as readonly string[]).includes(
      this.ENVIRONMENT.toLowerCase(),
    );
  }

  get jwksMaxAgeSeconds(): number {
    return this.AUTH_JWKS_MAX_AGE_SECONDS || this.AUTH_JWKS_CACHE_SECONDS;
  }

  /**
   * Where this API answers on this machine: HOST (loopback for a wildcard bind) and PORT. Used by
   * the CLI's default base URL, so it follows PORT, and by development hints in the log.
   */
  get localApiUrl(): string {
    const wildcard = ['0.0.0.0', '::', ''].includes(this.HOST);
    const host = wildcard ? '127.0.0.1' : this.HOST.includes(':') ? `[${this.HOST}]` : this.HOST;
    return `http://${host}:${this.PORT}`;
  }

  /** The CLI's API base URL: AUTH_CLI_BASE_URL, else this machine's API on PORT. */
  get cliBaseUrl(): string {
    return this.AUTH_CLI_BASE_URL ?? this.localApiUrl;
  }

  get usesEmbeddedDatabase(): boolean {
    return !this.DATABASE_URL;
  }

  get usesEmbeddedRedis(): boolean {
    return !this.REDIS_URL;
  }

  get usesOfflineModel(): boolean {
    return !this.OPENAI_API_KEY;
  }

  get sessionIpHashSalt(): string {
    return this.AUTH_SESSION_IP_HASH_SALT || this.SECRET_KEY;
  }

  get sessionEncryptionKey(): string {
    return this.AUTH_SESSION_ENCRYPTION_KEY || this.SECRET_KEY;
  }

  get billingEventsRedisUrl(): string | undefined {
    return this.BILLING_EVENTS_REDIS_URL || this.REDIS_URL;
  }
}
